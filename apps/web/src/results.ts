import { downloadDiagnostics, downloadModel, downloadTable, downloadZip, element, report, results } from './controls.js';
import { offer, revokeDownloads } from './downloads.js';
import type { ApplyResult, RunResult, VolumeResult } from './protocol.js';
import { showInViewer, viewVolumes } from './viewer-controls.js';

/** The results of each task's run: the summary and warnings, the downloads, the report, and for volumes the viewer. */

/** Shows a run's summary and warnings, and clears the links of the run before. */
function showSummary(result: { summary: string; warnings: readonly string[] }): void {
  revokeDownloads();
  element<HTMLParagraphElement>('summary').textContent = result.summary;
  element<HTMLUListElement>('warnings').replaceChildren(...result.warnings.map((warning) => Object.assign(document.createElement('li'), { textContent: `warning: ${warning}` })));
}

/** A table harmonized: the table, the model and the diagnostics to download, and the report. */
export function showResult(result: RunResult): void {
  showSummary(result);
  offer(downloadTable, result.table);
  offer(downloadModel, result.model, 'application/vnd.apache.arrow.file');
  offer(downloadDiagnostics, result.diagnostics, 'application/json');
  offer(downloadZip, null);
  report.hidden = false;
  report.srcdoc = result.report;
  results.hidden = false;
}

/** A model applied: the adjusted table and (when batches were estimated) the extended model to download; no report. */
export function showApplied(result: ApplyResult): void {
  showSummary(result);
  offer(downloadTable, result.table);
  offer(downloadModel, result.model, 'application/vnd.apache.arrow.file');
  offer(downloadDiagnostics, null);
  offer(downloadZip, null);
  report.hidden = true;
  report.srcdoc = '';
  results.hidden = false;
}

/** Volumes harmonized: the zip and the diagnostics to download, the report, and the viewer on the first subject. */
export function showVolumes(result: VolumeResult): void {
  showSummary(result);
  offer(downloadTable, null);
  offer(downloadModel, null);
  offer(downloadZip, result.zip);
  offer(downloadDiagnostics, result.diagnostics, 'application/json');
  viewVolumes(result);
  report.hidden = false;
  report.srcdoc = result.report;
  results.hidden = false;
  void showInViewer();
}
