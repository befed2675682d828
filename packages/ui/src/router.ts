import { useEffect, useState } from 'preact/hooks';

/**
 * Hash routes (`#/flags/payments_v2`): the server serves one index.html at `/`, so every console URL works on
 * reload and as a link without server-side fallbacks.
 */
export type Route =
  | { readonly page: 'sign-in' }
  | { readonly page: 'flags' }
  | { readonly page: 'flag'; readonly key: string }
  | { readonly page: 'presets' }
  | { readonly page: 'approvals' }
  | { readonly page: 'releases' }
  | { readonly page: 'release'; readonly name: string }
  | { readonly page: 'audit' }
  | { readonly page: 'not-found'; readonly path: string };

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '') || '/flags';
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  const [first, second] = parts;
  if (parts.length === 0) return { page: 'flags' };
  if (parts.length === 1) {
    switch (first) {
      case 'sign-in':
      case 'flags':
      case 'presets':
      case 'approvals':
      case 'releases':
      case 'audit':
        return { page: first };
    }
  }
  if (parts.length === 2 && second !== undefined) {
    if (first === 'flags') return { page: 'flag', key: second };
    if (first === 'releases') return { page: 'release', name: second };
  }
  return { page: 'not-found', path };
}

/** The href of a route, for links. */
export function href(...segments: string[]): string {
  return `#/${segments.map(encodeURIComponent).join('/')}`;
}

export function navigate(to: string): void {
  window.location.hash = to;
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
