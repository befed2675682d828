/**
 * Preloaded into every process `pitboss demo` starts (`node --import <this file> …`): the child's stdin is a
 * pipe from the demo, and when it closes — the demo exited, crashed, or was killed with SIGKILL, which no handler
 * sees — the child sends itself SIGTERM and stops gracefully, so the demo never leaves orphans behind. A child
 * that does not stop within GRACE_MS after that exits hard.
 */
const GRACE_MS = 10_000;

function letGo(): void {
  setTimeout(() => process.exit(1), GRACE_MS).unref();
  process.kill(process.pid, 'SIGTERM');
}

const stdin = process.stdin;
if (!stdin.isTTY) {
  stdin.on('end', letGo);
  stdin.on('error', letGo);
  stdin.resume();
  // Reading stdin must not keep a child alive that has finished its work on its own.
  (stdin as unknown as { unref?: () => void }).unref?.();
}
