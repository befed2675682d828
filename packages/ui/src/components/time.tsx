/** "3 min ago", with the exact time on hover; a laptop on call reads relative times faster. */
export function Ago({ at }: { readonly at: string | null | undefined }) {
  if (!at) return <span class="muted">never</span>;
  const date = new Date(at);
  return (
    <time dateTime={at} title={date.toLocaleString()}>
      {ago(date.getTime(), Date.now())}
    </time>
  );
}

export function ago(thenMs: number, nowMs: number): string {
  const s = Math.round((nowMs - thenMs) / 1000);
  return s < 0 ? `in ${span(-s)}` : `${span(s)} ago`;
}

function span(s: number): string {
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h`;
  return `${Math.floor(s / 86_400)} d`;
}
