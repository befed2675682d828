import { Page } from '../components/page.js';

// Placeholder until the page is built.
export function PresetsPage(_props: Record<string, unknown>) {
  return <Page title="Presets">Coming soon</Page>;
}
