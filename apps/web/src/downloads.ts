import { state } from './page-state.js';

/** What each download link says, before the file's name. */
const DOWNLOAD_WORDS: Readonly<Record<string, string>> = {
  'download-table': 'Download the harmonized table',
  'download-model': 'Download the model',
  'download-zip': 'Download everything',
  'download-diagnostics': 'Download the diagnostics',
};

/** The object URLs the links point at, revoked when the next run's results come. */
const objectUrls: string[] = [];

/** Points a download link at a file (or hides it when there is none, or when the task chosen does not show it). */
export function offer(link: HTMLAnchorElement, file: { name: string; bytes: Uint8Array } | { name: string; blob: Blob } | null, type = 'application/octet-stream'): void {
  link.hidden = file === null || !link.dataset.tasks?.split(' ').includes(state.task);
  if (file === null) return;
  const url = URL.createObjectURL('blob' in file ? file.blob : new Blob([file.bytes as Uint8Array<ArrayBuffer>], { type }));
  objectUrls.push(url);
  link.href = url;
  link.download = file.name;
  link.textContent = `${DOWNLOAD_WORDS[link.id] ?? 'Download'} (${file.name})`;
}

/** Frees the files the links of the run before pointed at. */
export function revokeDownloads(): void {
  for (const url of objectUrls.splice(0)) URL.revokeObjectURL(url);
}
