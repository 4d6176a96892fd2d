import { batchColumn, categorical, continuous, covarsFile, element, form, imageColumn, imagesFile, imagesFolder, maskFile, meanOnly, refBatch, splineColumns, splineDf } from './controls.js';
import { droppedEntries, entryFiles } from './dropped-files.js';
import { selected } from './pickers.js';
import { clearProblems, showProblem } from './problems.js';
import type { Mode, VolumeRequest } from './protocol.js';
import { filesChanged } from './run-controls.js';
import { tablesReady } from './table-inputs.js';

/** Harmonizing volumes (`combat harmonize-volumes`): the images chosen (files, a folder, or dropped), the mask, and the run the controls ask for. */

let images: File[] = [];
/** Counts the choices of images (a drop, or a button): a drop still being read when a later choice comes is ignored. */
let imageChoices = 0;

/** The images chosen (files, or a folder's NIfTI files), said beside their control. */
function chooseImages(files: readonly File[], from: string): void {
  filesChanged();
  clearProblems();
  images = files.filter((file) => /\.nii(\.gz)?$/i.test(file.name));
  const skipped = files.length - images.length;
  element<HTMLParagraphElement>('images-file-info').textContent =
    files.length === 0 ? '' : `${images.length} NIfTI file${images.length === 1 ? '' : 's'} chosen ${from}${skipped === 0 ? '' : ` (${skipped} other file${skipped === 1 ? '' : 's'} left out)`}`;
}

/** Images dropped on their area, folders included (their files read, to any depth): chosen as the folder button chooses them. */
export function dropImages(transfer: DataTransfer): void {
  const entries = droppedEntries(transfer);
  if (entries === null) {
    imagesFile.files = transfer.files;
    imagesFile.dispatchEvent(new Event('change'));
    return;
  }
  const ticket = ++imageChoices;
  const from = entries.some((entry) => entry.isDirectory) ? 'from the dropped folder' : 'as files';
  imagesFile.value = '';
  imagesFolder.value = '';
  element<HTMLParagraphElement>('images-file-info').textContent = `reading the files dropped${from === 'as files' ? '' : ' and their folders'}`;
  entryFiles(entries).then(
    (files) => {
      if (ticket === imageChoices) chooseImages(files, from);
    },
    (error: unknown) => {
      if (ticket !== imageChoices) return;
      chooseImages([], from);
      showProblem('images-file', `the dropped files could not be read (${error instanceof Error ? error.message : String(error)}); drop them again, or choose them with the buttons`);
    },
  );
}

/** The harmonization of volumes the controls ask for, or null after showing what is missing. */
export function volumeRequest(): VolumeRequest | null {
  const covariates = covarsFile.files?.[0];
  if (covariates === undefined) {
    showProblem('covars-file', 'choose the covariates table: one row per image, with the column naming its NIfTI file, the batch and the covariates');
    return null;
  }
  if (!tablesReady()) return null;
  if (images.length === 0) {
    showProblem('images-file', 'choose the NIfTI images the covariates table names (or the folder that holds them)');
    return null;
  }
  const mask = maskFile.files?.[0];
  if (mask === undefined) {
    showProblem('mask-file', 'choose the mask: a NIfTI image whose voxels above 0 are harmonized');
    return null;
  }
  return {
    covariates,
    images,
    mask,
    imageColumn: imageColumn.value,
    batch: batchColumn.value,
    categorical: selected(categorical),
    continuous: selected(continuous),
    splines: selected(splineColumns),
    splineDf: Number(splineDf.value),
    mode: (form.elements.namedItem('mode') as RadioNodeList).value as Mode,
    meanOnly: meanOnly.checked,
    refBatch: refBatch.value === '' ? null : refBatch.value,
    dtype: (form.elements.namedItem('dtype') as RadioNodeList).value as 'float32' | 'float64',
  };
}

/** Listens to the images' and the mask's controls: files or a folder chosen, a mask chosen. */
export function listenToVolumes(): void {
  imagesFile.addEventListener('change', () => {
    imageChoices++;
    imagesFolder.value = '';
    chooseImages([...(imagesFile.files ?? [])], 'as files');
  });
  imagesFolder.addEventListener('change', () => {
    imageChoices++;
    imagesFile.value = '';
    chooseImages([...(imagesFolder.files ?? [])], 'from the folder');
  });
  maskFile.addEventListener('change', () => {
    filesChanged();
    clearProblems();
    element<HTMLParagraphElement>('mask-file-info').textContent = maskFile.files?.[0]?.name ?? '';
  });
}
