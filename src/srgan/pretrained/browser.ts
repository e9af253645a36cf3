/**
 * The browser's reader: fetch model.json, then its weight shards relative to model.json's URL (as
 * TF.js's loadLayersModel does). The caller supplies the URL, e.g. an asset URL from the bundler.
 */
import type { LayersModelFiles, LayersModelJson } from './layers-format.js';
import { pretrainedFromFiles, type PretrainedModel } from './pretrained-model.js';
import { pretrainedInfo, type PretrainedName, type PretrainedScale } from './catalogue.js';
import { ModelFileError } from '../errors.js';

type Fetch = (url: string) => Promise<Response>;

async function fetchOk(fetchFn: Fetch, url: string): Promise<Response> {
  const res = await fetchFn(url);
  if (!res.ok) throw new ModelFileError(`fetch ${url}: HTTP ${res.status} ${res.statusText}`);
  return res;
}

export async function fetchLayersModelFiles(modelJsonUrl: string | URL, fetchFn: Fetch = (u) => fetch(u)): Promise<LayersModelFiles> {
  const base = new URL(String(modelJsonUrl), globalThis.location?.href);
  const modelJson = (await (await fetchOk(fetchFn, base.href)).json()) as LayersModelJson;
  const shards = await Promise.all(
    (modelJson.weightsManifest ?? []).map((group) =>
      Promise.all(group.paths.map(async (p) => (await fetchOk(fetchFn, new URL(p, base).href)).arrayBuffer())),
    ),
  );
  return { modelJson, shards };
}

/** Load a catalogue model from the URL of its model.json (the shards must sit beside it). */
export async function loadPretrainedFromUrl(
  name: PretrainedName,
  scale: PretrainedScale,
  modelJsonUrl: string | URL,
  fetchFn?: Fetch,
): Promise<PretrainedModel> {
  pretrainedInfo(name, scale); // fail on a bad name before any request
  return pretrainedFromFiles(name, scale, await fetchLayersModelFiles(modelJsonUrl, fetchFn));
}
