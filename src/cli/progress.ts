/**
 * A terminal progress bar with ETA for long CLI work (cli-progress). On a non-TTY stderr (CI, a
 * log file) it prints a plain line every 5 % or 30 s instead of redrawing.
 */
import cliProgress from 'cli-progress';

export interface Progress {
  update(done: number, fields?: Record<string, string>): void;
  stop(): void;
}

export function progressBar(total: number, label: string, extra = ''): Progress {
  if (!process.stderr.isTTY) {
    let lastPct = -5, lastAt = 0; // the first update always prints
    return {
      update(done, fields = {}) {
        const pct = Math.floor((100 * done) / Math.max(1, total));
        if (pct >= lastPct + 5 || done === total || performance.now() - lastAt > 30_000) {
          lastPct = pct;
          lastAt = performance.now();
          const info = Object.entries(fields).map(([k, v]) => `${k} ${v}`).join('  ');
          process.stderr.write(`${label}: ${done}/${total} (${pct}%) ${info}\n`);
        }
      },
      stop() {},
    };
  }
  const bar = new cliProgress.SingleBar({
    format: `${label} [{bar}] {percentage}% | {value}/{total} | ETA {eta_formatted}${extra ? ' | ' + extra : ''}`,
    stream: process.stderr, hideCursor: true, etaBuffer: 50,
  }, cliProgress.Presets.shades_classic);
  bar.start(total, 0);
  return { update: (done, fields) => bar.update(done, fields), stop: () => bar.stop() };
}
