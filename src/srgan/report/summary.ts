/**
 * The run summary: the original project's run-time table (platform, steps, start and end time,
 * total run time, number of result images), plus steps/s and the final PSNR/SSIM against bicubic
 * on the held-out images. Written as Markdown for people and JSON for scripts.
 */
import { lowBandNote, type SrganConfig } from '../config.js';

export interface QualityRow {
  psnr_y: number;
  ssim_y: number;
  sharpness?: number;
}

export interface RunSummary {
  adapter: string;
  preset: string;
  config: SrganConfig;
  steps: number;
  stepsThisSession: number;
  started: string;
  ended: string;
  seconds: number;
  stepsPerSecond: number;
  images: number;
  recoveries: { nan: number; deviceLost: number; gpuError?: number; kernelFault?: number };
  eval?: { images: number; bicubic: QualityRow; model: QualityRow };
  finalLosses?: Record<string, number>;
}

const f2 = (v: number | undefined, d = 2) => (v === undefined || !Number.isFinite(v) ? '—' : v.toFixed(d));

export function duration(seconds: number): string {
  const h = Math.floor(seconds / 3600),
    m = Math.floor((seconds % 3600) / 60),
    s = Math.round(seconds % 60);
  return h ? `${h} h ${m} min ${s} s` : m ? `${m} min ${s} s` : `${s} s`;
}

export function summaryMarkdown(s: RunSummary): string {
  const g = s.config.generator;
  const rows: [string, string][] = [
    ['platform (adapter)', s.adapter],
    ['preset', `${s.preset} (${g.arch}, ${g.blocks} blocks × ${g.channels} channels, crop ${s.config.hrCrop}, batch ${s.config.batch})`],
    ['content loss', s.config.content === 'vgg' ? `VGG19 ${s.config.vggLayer} / ${s.config.vggScale}` : `pixel MSE${lowBandNote(s.config)}`],
    ...(s.config.emaDecay > 0
      ? [['evaluated weights', `exponential moving average of the generator's, decay ${s.config.emaDecay}`] as [string, string]]
      : []),
    ['steps (total / this session)', `${s.steps} / ${s.stepsThisSession}`],
    ['start time', s.started],
    ['end time', s.ended],
    ['total run time (this session)', duration(s.seconds)],
    ['steps/s', s.stepsPerSecond.toFixed(3)],
    ['result images (sample grids)', String(s.images)],
    [
      'NaN recoveries / device losses / GPU errors / CPU kernel faults',
      `${s.recoveries.nan} / ${s.recoveries.deviceLost} / ${s.recoveries.gpuError ?? 0} / ${s.recoveries.kernelFault ?? 0}`,
    ],
  ];
  const lines = ['# SRGAN training run', '', '| | |', '| --- | --- |', ...rows.map(([k, v]) => `| ${k} | ${v} |`)];
  if (s.eval) {
    const e = s.eval;
    lines.push(
      '',
      `## Held-out evaluation (${e.images} images, ×4, Y channel, 4-px border crop)`,
      '',
      '| | PSNR-Y (dB) | SSIM-Y | sharpness |',
      '| --- | ---: | ---: | ---: |',
      `| bicubic | ${f2(e.bicubic.psnr_y)} | ${f2(e.bicubic.ssim_y, 4)} | ${f2(e.bicubic.sharpness, 3)} |`,
      `| model | ${f2(e.model.psnr_y)} | ${f2(e.model.ssim_y, 4)} | ${f2(e.model.sharpness, 3)} |`,
      `| gain | ${f2(e.model.psnr_y - e.bicubic.psnr_y)} | ${f2(e.model.ssim_y - e.bicubic.ssim_y, 4)} | |`,
    );
  }
  return lines.join('\n') + '\n';
}
