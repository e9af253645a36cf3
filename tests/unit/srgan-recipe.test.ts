/** Recipes: parsing and checking a recipe file, config ↔ recipe, the shipped recipes. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { makeConfig, presets, withConfigDefaults } from '../../src/srgan/config.js';
import { ConfigError } from '../../src/srgan/errors.js';
import { configToRecipe, formatRecipe, parseRecipe, recipeToConfig, SHIPPED_RECIPES } from '../../src/srgan/recipe.js';

const recipe = (o: object) => JSON.stringify({ format: 'srgan-recipe/1', preset: 'tiny', ...o });

describe('recipes', () => {
  it("a recipe overrides its preset section by section; absent fields keep the preset's", () => {
    const r = parseRecipe(
      recipe({
        generator: { blocks: 8 },
        discriminator: { head: 'patch' },
        data: { crop: 64, batch: 8 },
        schedule: { phase1Steps: 0, phase2Steps: 300, lr: 1e-4, ema: 0.995 },
        losses: {
          content: { blur: 2 },
          adversarial: { type: 'ragan', weight: 0.02, dLrScale: 4 },
          featureMatching: { weight: 0.03 },
          phasePattern: { weight: 3000 },
          flatRegion: { weight: 5 },
        },
      }),
    );
    expect(recipeToConfig(r)).toEqual(
      makeConfig('tiny', {
        generator: { blocks: 8 },
        discriminator: { head: 'patch' },
        hrCrop: 64,
        batch: 8,
        phase1Steps: 0,
        phase2Steps: 300,
        lr: 1e-4,
        emaDecay: 0.995,
        contentBlur: 2,
        ganLoss: 'ragan',
        advWeight: 0.02,
        dLrScale: 4,
        featureMatchWeight: 0.03,
        phasePatternWeight: 3000,
        flatRegionWeight: 5,
      }),
    );
    expect(recipeToConfig(parseRecipe(recipe({})))).toEqual(presets.tiny);
  });

  it('config → recipe → config is the identity, for every preset and with every option set', () => {
    const configs = [
      ...Object.values(presets),
      makeConfig('paper', {
        content: 'vgg',
        vggLayer: 'relu3_3',
        degrade: 'realistic',
        seed: 7,
        lrDecayAt: [0.25, 0.75],
        discriminator: { downsample: 'blur', batchNorm: false },
      }),
      makeConfig('tiny', { contentBlur: 1.5, phase1Steps: 0 }),
    ];
    for (const cfg of configs) {
      const text = formatRecipe(configToRecipe(cfg, { name: 'x', pretrained: { generator: 'default' } }));
      const back = parseRecipe(text);
      expect(recipeToConfig(back)).toEqual(cfg);
      expect(back.pretrained).toEqual({ generator: 'default' });
    }
  });

  it('rejects a recipe whole with a message naming the bad key or value', () => {
    const bad: [string, RegExp][] = [
      ['{ not json', /r\.json: not valid JSON/],
      [JSON.stringify({ preset: 'tiny' }), /"format" must be "srgan-recipe\/1"/],
      [JSON.stringify({ format: 'srgan-recipe/1' }), /"preset" is required/],
      [recipe({ preset: 'huge' }), /"preset" must be "medium" or "paper" or "keras" or "tiny", got "huge"/],
      [recipe({ losses: { adversarial: { wieght: 1 } } }), /unknown key "losses\.adversarial\.wieght" \(expected one of type, weight, dLrScale\)/],
      [recipe({ schedule: { lr: '1e-4' } }), /"schedule\.lr" must be a number, got "1e-4"/],
      [recipe({ data: { crop: 30 } }), /r\.json: config: hrCrop must be a positive multiple of 16/],
      [recipe({ generator: { blocks: 2.5 } }), /"generator\.blocks" must be an integer/],
      [recipe({ losses: [] }), /losses must be an object/],
      [recipe({ data: { degrade: 'jpeg200' } }), /r\.json: /],
    ];
    for (const [text, message] of bad) {
      expect(() => parseRecipe(text, 'r.json'), text).toThrow(ConfigError);
      expect(() => parseRecipe(text, 'r.json'), text).toThrow(message);
    }
  });

  it('saved recipes keep arrays of numbers on one line', () => {
    const text = formatRecipe(configToRecipe(presets.paper));
    expect(text).toContain('"channels": [64, 64, 128, 128, 256, 256, 512, 512]');
    expect(text).toContain('"lrDecayAt": [0.5]');
    expect(recipeToConfig(parseRecipe(text))).toEqual(presets.paper);
  });

  it("each shipped recipe is the config its model's run record was trained with", () => {
    for (const name of ['default', 'srgan', 'photo', 'medium'] as const) {
      const latest = JSON.parse(readFileSync(`models/${name}/run/checkpoints/latest.json`, 'utf8'));
      const state = JSON.parse(readFileSync(`models/${name}/run/checkpoints/${latest.dir}/state.json`, 'utf8'));
      expect(recipeToConfig(parseRecipe(readFileSync(SHIPPED_RECIPES[name].path, 'utf8'))), name).toEqual(withConfigDefaults(state.config));
    }
  });

  it("the shipped recipes are valid files; srgan's starts from the shipped models", () => {
    for (const { path } of Object.values(SHIPPED_RECIPES)) parseRecipe(readFileSync(path, 'utf8'), path);
    const srgan = parseRecipe(readFileSync(SHIPPED_RECIPES.srgan.path, 'utf8'));
    expect(srgan.pretrained).toEqual({ generator: 'default', discriminator: 'srgan' });
    expect(recipeToConfig(srgan)).toMatchObject({ phase1Steps: 0, ganLoss: 'ragan', discriminator: { head: 'patch' }, generator: { blocks: 8 } });
  });
});
