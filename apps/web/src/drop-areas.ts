import { covarsFile, dataFile, element, imagesFile, maskFile, modelFile } from './controls.js';
import { dropImages } from './volume-task.js';

/** Listens to the drop areas: a file dropped on one goes to its file input, as if chosen (the images' area takes folders too). */
export function listenToDrops(): void {
  for (const [zone, input] of [
    ['data-drop', dataFile],
    ['covars-drop', covarsFile],
    ['model-drop', modelFile],
    ['images-drop', imagesFile],
    ['mask-drop', maskFile],
  ] as const) {
    const area = element<HTMLDivElement>(zone);
    area.addEventListener('dragover', (event) => {
      event.preventDefault();
      area.classList.add('over');
    });
    area.addEventListener('dragleave', () => area.classList.remove('over'));
    area.addEventListener('drop', (event) => {
      event.preventDefault();
      area.classList.remove('over');
      const transfer = event.dataTransfer;
      if (transfer === null || transfer.files.length === 0) return;
      if (input === imagesFile) {
        dropImages(transfer);
        return;
      }
      input.files = transfer.files;
      input.dispatchEvent(new Event('change'));
    });
  }
}
