/** The page's controls, found once by their ids (the page's script runs after the page is parsed). */

/** The element of the page with `id`; a page without it is a bug of the page, not of the user's. */
export const element = <T extends HTMLElement>(id: string): T => {
  const found = document.getElementById(id);
  if (found === null) throw new Error(`the page has no #${id}`);
  return found as T;
};

export const dataFile = element<HTMLInputElement>('data-file');
export const covarsFile = element<HTMLInputElement>('covars-file');
export const covarsClear = element<HTMLButtonElement>('covars-clear');
export const idColumn = element<HTMLSelectElement>('id-column');
export const batchColumn = element<HTMLSelectElement>('batch-column');
export const categorical = element<HTMLSelectElement>('categorical-columns');
export const continuous = element<HTMLSelectElement>('continuous-columns');
export const splineColumns = element<HTMLSelectElement>('spline-columns');
export const splineDf = element<HTMLInputElement>('spline-df');
export const features = element<HTMLSelectElement>('features');
export const featuresNotes = element<HTMLUListElement>('features-notes');
export const featuresCount = element<HTMLSpanElement>('features-count');
export const meanOnly = element<HTMLInputElement>('mean-only');
export const refBatch = element<HTMLSelectElement>('ref-batch');
export const form = element<HTMLFormElement>('flow');
export const runButton = element<HTMLButtonElement>('run');
export const cancelButton = element<HTMLButtonElement>('cancel');
export const progress = element<HTMLProgressElement>('progress');
export const status = element<HTMLParagraphElement>('status');
export const results = element<HTMLElement>('results');
export const report = element<HTMLIFrameElement>('report');
export const downloadTable = element<HTMLAnchorElement>('download-table');
export const downloadModel = element<HTMLAnchorElement>('download-model');
export const modelFile = element<HTMLInputElement>('model-file');
export const imagesFile = element<HTMLInputElement>('images-file');
export const imagesFolder = element<HTMLInputElement>('images-folder');
export const maskFile = element<HTMLInputElement>('mask-file');
export const imageColumn = element<HTMLSelectElement>('image-column');
export const newBatches = element<HTMLInputElement>('new-batches');
export const modelMode = element<HTMLParagraphElement>('model-mode');
export const downloadZip = element<HTMLAnchorElement>('download-zip');
export const downloadDiagnostics = element<HTMLAnchorElement>('download-diagnostics');
export const viewSubject = element<HTMLSelectElement>('view-subject');
export const viewImage = element<HTMLSelectElement>('view-image');
export const viewerInfo = element<HTMLParagraphElement>('viewer-info');
