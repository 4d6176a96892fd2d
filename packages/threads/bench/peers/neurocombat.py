"""Times neuroCombat (Python) on the matrix the threads bench wrote: one call, as a user runs it.

Usage: python3 neurocombat.py DATA.f64 COVARIATES.csv SAMPLES FEATURES parametric|non-parametric
DATA.f64 holds features x samples float64 values (neuroCombat's layout); the covariates table has
the columns batch, sex and age. Prints the seconds of the neuroCombat call alone as JSON.
"""
import json
import sys
import time

import numpy as np
import pandas as pd
from neuroCombat import neuroCombat

path, covariates_path, samples, features, mode = sys.argv[1:6]
data = np.fromfile(path, dtype=np.float64).reshape(int(features), int(samples))
covars = pd.read_csv(covariates_path)
start = time.perf_counter()
neuroCombat(dat=data, covars=covars, batch_col='batch', categorical_cols=['sex'], continuous_cols=['age'], parametric=(mode == 'parametric'))
print(json.dumps({'seconds': time.perf_counter() - start}))
