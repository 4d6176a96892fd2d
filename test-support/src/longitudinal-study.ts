import type { Covariates, DataMatrix } from '@combat/core';
import { random } from './synthetic.js';

/** What {@link longitudinalStudy} makes: subjects scanned 1 to `maxVisits` times, a site each (or a site per scan). */
export interface StudySpec {
  seed: number;
  subjects: number;
  maxVisits: number;
  sites: number;
  features: number;
  /** The random intercept's standard deviation (0: no subject effect). */
  subjectSd: number;
  /** Each scan at a site of its own draw, so subjects move between sites. */
  movers: boolean;
}

function normal(next: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
}

/**
 * A seeded longitudinal study: `y = base + slope * age + 0.3 male + u_subject + site shift + site
 * scale * noise`, ages growing by a year a visit, every site with at least two scans.
 */
export function longitudinalStudy(spec: StudySpec): { matrix: DataMatrix; covariates: Required<Covariates>; subject: string[] } {
  const next = random(spec.seed);
  const V = spec.features;
  const base = Array.from({ length: V }, () => 3 + 5 * next());
  const slope = Array.from({ length: V }, () => -0.01 - 0.04 * next());
  const shift = Array.from({ length: spec.sites * V }, () => normal(next));
  const scale = Array.from({ length: spec.sites }, () => 0.5 + next());
  const batch: string[] = [];
  const subject: string[] = [];
  const sex: string[] = [];
  const age: number[] = [];
  const values: number[] = [];
  for (let s = 0; s < spec.subjects; s++) {
    const visits = s === 0 ? 2 : 1 + Math.floor(next() * spec.maxVisits);
    const home = s % spec.sites;
    // Subjects of a home site alternate in sex, so sex is never confounded with site.
    const male = Math.floor(s / spec.sites) % 2 === 1;
    const age0 = 45 + 35 * next();
    const u = Array.from({ length: V }, () => spec.subjectSd * normal(next));
    for (let t = 0; t < visits; t++) {
      const site = spec.movers ? Math.floor(next() * spec.sites) : home;
      batch.push(`site${String.fromCharCode(65 + site)}`);
      subject.push(`sub-${String(s).padStart(3, '0')}`);
      sex.push(male ? 'M' : 'F');
      age.push(age0 + t);
      for (let v = 0; v < V; v++) values.push((base[v] as number) + (slope[v] as number) * (age0 + t) + (male ? 0.3 : 0) + (u[v] as number) + (shift[site * V + v] as number) + (scale[site] as number) * 0.4 * normal(next));
    }
  }
  // Two scans of a site that drew fewer.
  for (let site = 0; site < spec.sites; site++) {
    const label = `site${String.fromCharCode(65 + site)}`;
    for (let extra = batch.filter((b) => b === label).length; extra < 2; extra++) {
      batch.push(label);
      subject.push(`extra-${site}-${extra}`);
      sex.push(extra === 0 ? 'F' : 'M');
      age.push(50 + 10 * extra);
      for (let v = 0; v < V; v++) values.push((base[v] as number) + (shift[site * V + v] as number) + normal(next));
    }
  }
  return {
    matrix: { data: Float64Array.from(values), samples: batch.length, features: V },
    covariates: { batch, categorical: { sex }, continuous: { age: Float64Array.from(age) } },
    subject,
  };
}
