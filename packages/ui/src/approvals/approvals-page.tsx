import { Page } from '../components/page.js';

// Placeholder until the page is built.
export function ApprovalsPage(_props: Record<string, unknown>) {
  return <Page title="Approvals">Coming soon</Page>;
}
