import { Page } from '../components/page.js';

// Placeholder until the page is built.
export function ReleasePage(_props: Record<string, unknown>) {
  return <Page title="Release">Coming soon</Page>;
}
