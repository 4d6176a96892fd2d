"""The peer of the volume pipeline benchmark: kwneuro's harmonize_volumes, as a script.

What kwneuro does for 3D volumes: load every volume with nibabel (float64), stack the voxels
inside the mask (mask > 0) as a voxels x subjects matrix, call neuroCombat with the covariates,
put the harmonized values back (0 outside the mask) and save each volume with nibabel as float32
.nii.gz. neuroCombat is not installed with the project: put the folder holding its package on
PYTHONPATH (see the io-nifti README). Prints one JSON line: the seconds of each phase and the peak
resident set size in bytes.
"""

import argparse
import json
import os
import resource
import time

import nibabel as nib
import numpy as np
import pandas as pd
from neuroCombat import neuroCombat


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--covariates", required=True, help="CSV: one row per volume")
    parser.add_argument("--image-column", required=True)
    parser.add_argument("--mask", required=True)
    parser.add_argument("--batch", required=True)
    parser.add_argument("--categorical", default="", help="comma-separated columns")
    parser.add_argument("--continuous", default="", help="comma-separated columns")
    parser.add_argument("--out-dir", required=True)
    args = parser.parse_args()
    split = lambda text: [name for name in text.split(",") if name]

    start = time.perf_counter()
    table = pd.read_csv(args.covariates)
    folder = os.path.dirname(os.path.abspath(args.covariates))
    paths = [os.path.join(folder, cell) for cell in table[args.image_column]]
    images = [nib.load(path) for path in paths]
    volumes = [image.get_fdata() for image in images]
    inside = np.asarray(nib.load(args.mask).dataobj) > 0
    data = np.stack([volume[inside] for volume in volumes], axis=1)
    loaded = time.perf_counter()

    covars = table[[args.batch, *split(args.categorical), *split(args.continuous)]]
    result = neuroCombat(
        dat=data,
        covars=covars,
        batch_col=args.batch,
        categorical_cols=split(args.categorical),
        continuous_cols=split(args.continuous),
    )["data"]
    harmonized = time.perf_counter()

    os.makedirs(args.out_dir, exist_ok=True)
    for column, (path, image) in enumerate(zip(paths, images)):
        out = np.zeros(inside.shape)
        out[inside] = result[:, column]
        saved = nib.Nifti1Image(out, image.affine, image.header)
        saved.set_data_dtype(np.float32)
        nib.save(saved, os.path.join(args.out_dir, os.path.basename(path)))
    written = time.perf_counter()

    print(
        json.dumps(
            {
                "load": loaded - start,
                "combat": harmonized - loaded,
                "save": written - harmonized,
                "peak": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
            }
        )
    )


if __name__ == "__main__":
    main()
