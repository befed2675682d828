import { Page } from '../components/page.js';

// Placeholder until the page is built.
export function ReleasesPage(_props: Record<string, unknown>) {
  return <Page title="Releases">Coming soon</Page>;
}
