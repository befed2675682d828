import { Page } from '../components/page.js';

// Placeholder until the page is built.
export function FlagPage(_props: Record<string, unknown>) {
  return <Page title="Flag">Coming soon</Page>;
}
