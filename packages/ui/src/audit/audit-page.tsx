import { Page } from '../components/page.js';

// Placeholder until the page is built.
export function AuditPage(_props: Record<string, unknown>) {
  return <Page title="Audit">Coming soon</Page>;
}
