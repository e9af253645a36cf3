/**
 * Vitest setup (every test file runs in Node): load the engine through its Node entry, as a Node
 * user of the package does, so that Dawn is the device source for tests that reach `initEngine`
 * through platform-neutral modules.
 */
import '../../src/engine/node.js';
