/**
 * Jest's node environment with the host's typed-array constructors. Native addons (onnxruntime-node)
 * create Float32Array & co. in the host realm, and onnxruntime-common (loaded in the test sandbox)
 * checks them with `instanceof` against the sandbox's own constructors, which fails
 * ("A float32 tensor's data must be type of ... Float32Array"). Sharing the constructors fixes it.
 */
const { TestEnvironment } = require('jest-environment-node');

const SHARED = [
  'ArrayBuffer',
  'SharedArrayBuffer',
  'DataView',
  'Int8Array',
  'Uint8Array',
  'Uint8ClampedArray',
  'Int16Array',
  'Uint16Array',
  'Int32Array',
  'Uint32Array',
  'Float32Array',
  'Float64Array',
  'BigInt64Array',
  'BigUint64Array',
];

class NodeRealmEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of SHARED) this.global[name] = globalThis[name];
  }
}

module.exports = NodeRealmEnvironment;
