import { element, viewerInfo, viewImage, viewSubject } from './controls.js';
import type { VolumeResult } from './protocol.js';
import { VolumeViewer } from './viewer.js';

/** The viewer's controls: the subject and the image (before, after, or an effect map) it shows of the volume run's results. */

const viewer = new VolumeViewer(element<HTMLCanvasElement>('viewer'));
let volumeResult: VolumeResult | null = null;

/** Offers the subjects and the effect maps of a volume run to the viewer, and shows the first subject. */
export function viewVolumes(result: VolumeResult): void {
  volumeResult = result;
  viewSubject.replaceChildren(...result.subjects.map((subject, row) => new Option(subject.name, String(row))));
  const maps = result.outputs.filter((output) => output.row === null);
  viewImage.replaceChildren(
    new Option('before harmonization (the input)', 'before'),
    new Option('after harmonization', 'after'),
    ...maps.map((output) => new Option(describeMap(output.name), output.name)),
  );
}

/** A batch-effect map's file as the viewer lists it: `gammaStar_Scanner_A.nii.gz` is the additive effect of Scanner_A. */
function describeMap(name: string): string {
  const [, kind, batch] = /([a-zA-Z]+)_(.*)\.nii\.gz$/.exec(name) ?? [];
  return kind === 'gammaStar' ? `site effect map: additive (gammaStar) of ${batch}` : `site effect map: scale (deltaStar) of ${batch}`;
}

/** Shows the chosen subject before or after, or the chosen effect map, in the viewer. */
export async function showInViewer(): Promise<void> {
  if (volumeResult === null) return;
  const row = Number(viewSubject.value);
  const subject = volumeResult.subjects[row];
  const what = viewImage.value;
  viewSubject.disabled = what !== 'before' && what !== 'after';
  const output = what === 'after' ? volumeResult.outputs.find((candidate) => candidate.row === row) : volumeResult.outputs.find((candidate) => candidate.name === what);
  const [blob, name] = what === 'before' ? [subject?.image, subject?.image.name] : [output && volumeResult.zip.blob.slice(output.start, output.end), output?.name];
  if (blob === undefined || name === undefined) return;
  viewerInfo.textContent = `showing ${what === 'before' ? `${name} (the input)` : name}`;
  try {
    await viewer.show(blob, name, { map: what !== 'before' && what !== 'after' });
  } catch (error) {
    viewerInfo.textContent = `the viewer could not show ${name}: ${error instanceof Error ? error.message : String(error)} (it needs WebGL2)`;
  }
}

/** Listens to the viewer's controls: another subject or image chosen is shown. */
export function listenToViewer(): void {
  for (const select of [viewSubject, viewImage]) select.addEventListener('change', () => void showInViewer());
}
