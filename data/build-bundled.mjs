// Rebuilds the bundled images from their source packages (run once by hand; the outputs are committed).
//   mkdir -p /tmp/srdata && cd /tmp/srdata
//   apt-get download python3-skimage python-matplotlib-data python3-sklearn facedetect lomiri-wallpapers-16.04
//   for f in *.deb; do dpkg -x "$f" x; done
//   npm pack @vladmandic/face-api@1.7.15 && tar xzf vladmandic-face-api-1.7.15.tgz
//   node data/build-bundled.mjs /tmp/srdata
// Every output is listed with its source and licence in data/manifest.json (written here) and data/MANIFEST.md.
import sharp from 'sharp';
import { copyFileSync, mkdirSync, writeFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const src = process.argv[2] ?? '/tmp/srdata';
const here = dirname(fileURLToPath(import.meta.url));
const SKI = 'x/usr/lib/python3/dist-packages/skimage/data';
const SKL = 'x/usr/lib/python3/dist-packages/sklearn/datasets/images';

const skimage = (file, author, licence) => ({
  package: 'Debian python3-skimage 0.19.3-8', original: `/usr/lib/python3/dist-packages/skimage/data/${file}`,
  from: `${SKI}/${file}`, author, licence,
});
const sklearn = (file, author) => ({
  package: 'Debian python3-sklearn 1.2.1+dfsg-1', original: `/usr/lib/python3/dist-packages/sklearn/datasets/images/${file}`,
  from: `${SKL}/${file}`, author, licence: 'CC-BY-2.0 (https://creativecommons.org/licenses/by/2.0/)',
});
const faceApi = (n) => ({
  package: 'npm @vladmandic/face-api 1.7.15', original: `demo/sample${n}.jpg`, from: `package/demo/sample${n}.jpg`,
  author: 'Vladimir Mandic', licence: 'MIT (the package licence; the author\'s own demo photos)',
});
const HOPPER = 'US Navy photograph of Commodore Grace M. Hopper (James S. Davis, 1984); public domain as a work of the US federal government';

// copy: the original bytes unchanged (no new compression artefacts). Others: re-encoded as named.
const photos = [
  { out: 'photos/train/astronaut.webp', ...skimage('astronaut.png', 'NASA (Eileen Collins portrait)', 'public domain'), encode: 'webp-lossless' },
  { out: 'photos/train/rocket.jpg', ...skimage('rocket.jpg', 'SpaceX (DSCOVR launch on Falcon 9)', 'public domain'), encode: 'copy' },
  { out: 'photos/train/hubble_deep_field.jpg', ...skimage('hubble_deep_field.jpg', 'NASA (Hubble eXtreme Deep Field)', 'public domain'), encode: 'copy' },
  { out: 'photos/train/china.jpg', ...sklearn('china.jpg', 'danielbuechele (Flickr), retrieved by Robert Layton'), encode: 'copy' },
  { out: 'photos/heldout/coffee.png', ...skimage('coffee.png', 'Rachel Michetti (courtesy of Pikolo Espresso Bar)', 'CC0-1.0'), encode: 'copy' },
  { out: 'photos/heldout/chelsea.png', ...skimage('chelsea.png', 'Stefan van der Walt', 'CC0-1.0'), encode: 'copy' },
  { out: 'photos/heldout/flower.jpg', ...sklearn('flower.jpg', 'vultilion (Flickr), retrieved by Robert Layton'), encode: 'copy' },
  { out: 'photos/heldout/grace_hopper.jpg', package: 'Debian python-matplotlib-data 3.6.3-1',
    original: '/usr/share/matplotlib/mpl-data/sample_data/grace_hopper.jpg', from: 'x/usr/share/matplotlib/mpl-data/sample_data/grace_hopper.jpg',
    author: HOPPER, licence: 'public domain', encode: 'copy' },
  // A phone photo at its own resolution, as a user would upscale it (its sensor noise and JPEG blocks are the
  // camera's): the real-JPEG check of the degradation-trained `photo` model (docs/models.md). Not for training.
  { out: 'photos/native/seeding_by_Clements_Engelhardt.jpg', package: 'Debian lomiri-wallpapers-16.04 20.04.0-2',
    original: '/usr/share/backgrounds/seeding_by_Clements_Engelhardt.jpg',
    from: 'x/usr/share/backgrounds/seeding_by_Clements_Engelhardt.jpg', author: 'Clemens Engelhardt (2018)', licence: 'CC0-1.0', encode: 'copy' },
];

// Face centres in the originals (1920 px wide), picked by eye; each crop is a 384 px square around
// the head, resized to 256×256 (a CelebA-like head-and-shoulders framing, and the keras preset's HR crop).
const FACE_SIDE = 384;
const faceCentres = {
  1: [[516, 480], [936, 555], [1566, 330]],
  2: [[450, 300], [984, 330], [1545, 255]],
  3: [[696, 465], [1161, 375], [1599, 435]],
  4: [[336, 270], [756, 210], [1098, 240], [1350, 255]],
  5: [[870, 195], [1230, 300], [636, 525], [1500, 540], [474, 975]],
  6: [[354, 600], [771, 480], [1260, 390], [1605, 405]],
};
const faces = [];
for (const [n, centres] of Object.entries(faceCentres))
  centres.forEach(([cx, cy], i) => faces.push({
    // The last photo's faces are held out (a different scene from every training face).
    out: `faces/${n === '6' ? 'heldout/' : ''}sample${n}_face${i + 1}.jpg`, ...faceApi(n),
    crop: { left: cx - FACE_SIDE / 2, top: cy - FACE_SIDE / 2, width: FACE_SIDE, height: FACE_SIDE }, encode: 'jpeg-q92-256px',
  }));
faces.push({
  out: 'faces/grace_hopper_face.jpg', package: 'Debian facedetect 0.1-3+b4',
  original: '/usr/share/doc/facedetect/examples/grace_hopper_512x512.jpg', from: 'x/usr/share/doc/facedetect/examples/grace_hopper_512x512.jpg',
  author: HOPPER, licence: 'public domain', crop: { left: 64, top: 0, width: 384, height: 384 }, encode: 'jpeg-q92-256px',
});

const manifest = [];
for (const item of [...photos, ...faces]) {
  const dest = join(here, item.out);
  mkdirSync(dirname(dest), { recursive: true });
  let img = sharp(join(src, item.from));
  const meta = await img.metadata();
  if (item.crop) {
    const c = item.crop;
    const left = Math.max(0, Math.min(c.left, meta.width - c.width)), top = Math.max(0, Math.min(c.top, meta.height - c.height));
    item.crop = { left, top, width: c.width, height: c.height };
    img = img.extract(item.crop);
  }
  if (item.encode === 'copy') copyFileSync(join(src, item.from), dest);
  else if (item.encode === 'webp-lossless') await img.webp({ lossless: true, effort: 6 }).toFile(dest);
  else await img.resize(256, 256, { kernel: 'lanczos3' }).jpeg({ quality: 92, mozjpeg: true }).toFile(dest);
  const out = await sharp(dest).metadata();
  const { from, ...rest } = item;
  manifest.push({ ...rest, width: out.width, height: out.height, bytes: statSync(dest).size });
}
writeFileSync(join(here, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
console.log(`${manifest.length} files, ${(manifest.reduce((s, m) => s + m.bytes, 0) / 1e6).toFixed(2)} MB`);
