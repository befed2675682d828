import type { ComponentChildren } from 'preact';
import { useEffect } from 'preact/hooks';

/** A page's frame: its heading (which also titles the tab), optional actions on the right, then the content. */
export function Page(props: {
  readonly title: string;
  readonly actions?: ComponentChildren;
  readonly children: ComponentChildren;
}) {
  useEffect(() => {
    document.title = `${props.title} · Pitboss`;
  }, [props.title]);
  return (
    <section class="page" aria-labelledby="page-title">
      <header class="page-header">
        <h1 id="page-title">{props.title}</h1>
        {props.actions && <div class="page-actions">{props.actions}</div>}
      </header>
      {props.children}
    </section>
  );
}

export function Loading() {
  return (
    <p class="muted" aria-busy="true">
      Loading…
    </p>
  );
}
