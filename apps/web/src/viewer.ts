import { Niivue, NVImage, SLICE_TYPE } from '@niivue/niivue';

/**
 * The volume viewer: NiiVue (WebGL2) on one canvas, showing one image at a time in its three
 * planes. Images come as Blobs (a chosen input file, or an output of the run) and are decoded by
 * NiiVue in the page; nothing is fetched. When an image is shown, the canvas's `data-showing`
 * says which (the tests wait for it).
 */
export class VolumeViewer {
  private niivue: Promise<Niivue> | null = null;
  private shown = 0;

  constructor(private readonly canvas: HTMLCanvasElement) {}

  /**
   * Shows `blob` (a `.nii` or `.nii.gz`) under `name`, in grey levels; a later call wins over one
   * still loading. A map (`map: true`) comes with its colour bar, to read its values.
   */
  async show(blob: Blob, name: string, options: { map?: boolean } = {}): Promise<void> {
    const ticket = ++this.shown;
    this.niivue ??= new Niivue({ backColor: [0, 0, 0, 1], show3Dcrosshair: false, isResizeCanvas: true, crosshairWidth: 0.3, crosshairColor: [1, 0.3, 0.3, 0.6] }).attachToCanvas(this.canvas);
    const niivue = await this.niivue;
    const map = options.map ?? false;
    const image = await NVImage.loadFromFile({ file: new File([blob], name), name, colormap: 'gray' });
    if (ticket !== this.shown) return;
    niivue.opts.isColorbar = map;
    while (niivue.volumes.length > 0) niivue.removeVolumeByIndex(0);
    niivue.addVolume(image);
    niivue.setSliceType(SLICE_TYPE.MULTIPLANAR);
    this.canvas.dataset.showing = name;
  }
}
