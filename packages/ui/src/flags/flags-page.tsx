import { Page } from '../components/page.js';

// Placeholder until the page is built.
export function FlagsPage(_props: Record<string, unknown>) {
  return <Page title="Flags">Coming soon</Page>;
}
