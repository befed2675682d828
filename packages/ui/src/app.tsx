import { useEffect, useMemo, useState } from 'preact/hooks';
import type { Api } from './api/client.js';
import { ApprovalsPage } from './approvals/approvals-page.js';
import { AuditPage } from './audit/audit-page.js';
import { FlagPage } from './flags/flag-page.js';
import { FlagsPage } from './flags/flags-page.js';
import { LiveFeed } from './live.js';
import { PresetsPage } from './presets/presets-page.js';
import { ReleasePage } from './releases/release-page.js';
import { ReleasesPage } from './releases/releases-page.js';
import { href, navigate, type Route, useRoute } from './router.js';
import { type Me, type Session, SessionContext, signIn, storedToken, storeToken } from './session.js';
import { SignInPage } from './sign-in-page.js';

const NAV: readonly { page: Route['page']; label: string; also?: Route['page'] }[] = [
  { page: 'flags', label: 'Flags', also: 'flag' },
  { page: 'presets', label: 'Presets' },
  { page: 'approvals', label: 'Approvals' },
  { page: 'releases', label: 'Releases', also: 'release' },
  { page: 'audit', label: 'Audit' },
];

export function App() {
  const route = useRoute();
  const [auth, setAuth] = useState<{ api: Api; me: Me } | null>(null);
  const [restoring, setRestoring] = useState(() => storedToken() !== null);

  // A reload keeps the tab's session: check the stored token again (it may have been revoked since).
  useEffect(() => {
    const token = storedToken();
    if (token === null) return;
    signIn(token)
      .then(setAuth)
      .catch(() => storeToken(null))
      .finally(() => setRestoring(false));
  }, []);

  const live = useMemo(() => (auth ? new LiveFeed(auth.api.token) : null), [auth]);
  useEffect(() => {
    live?.start();
    return () => live?.close();
  }, [live]);

  if (restoring) return null;
  if (!auth || !live) {
    return (
      <SignInPage
        onSignIn={async (token) => {
          const session = await signIn(token);
          storeToken(session.api.token);
          setAuth(session);
          if (route.page === 'sign-in') navigate(href('flags'));
        }}
      />
    );
  }
  const session: Session = { ...auth, live };
  const signOut = () => {
    storeToken(null);
    setAuth(null);
  };
  return (
    <SessionContext.Provider value={session}>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="top">
        <a class="brand" href={href('flags')}>
          Pitboss
        </a>
        <nav aria-label="Main">
          <ul>
            {NAV.map((item) => (
              <li key={item.page}>
                <a
                  href={href(item.page)}
                  aria-current={route.page === item.page || route.page === item.also ? 'page' : undefined}
                >
                  {item.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <LiveIndicator live={live} />
        <span class="who" title={`token ${auth.me.id}`}>
          {auth.me.name} <span class="role">{auth.me.role}</span>
        </span>
        <button type="button" class="link" onClick={signOut}>
          Sign out
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        <Content route={route} />
      </main>
    </SessionContext.Provider>
  );
}

function Content({ route }: { readonly route: Route }) {
  switch (route.page) {
    case 'sign-in':
    case 'flags':
      return <FlagsPage />;
    case 'flag':
      return <FlagPage flagKey={route.key} />;
    case 'presets':
      return <PresetsPage />;
    case 'approvals':
      return <ApprovalsPage />;
    case 'releases':
      return <ReleasesPage />;
    case 'release':
      return <ReleasePage name={route.name} />;
    case 'audit':
      return <AuditPage />;
    case 'not-found':
      return (
        <section class="page">
          <h1>Not found</h1>
          <p>
            Nothing at <code>{route.path}</code>. <a href={href('flags')}>Back to flags</a>
          </p>
        </section>
      );
  }
}

function LiveIndicator({ live }: { readonly live: LiveFeed }) {
  const [connected, setConnected] = useState(live.connected);
  useEffect(() => live.onConnection(setConnected), [live]);
  return (
    <span class={connected ? 'live live-on' : 'live live-off'} role="status">
      {connected ? 'live' : 'reconnecting…'}
    </span>
  );
}
