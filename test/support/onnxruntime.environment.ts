import NodeEnvironment from 'jest-environment-node';

/**
 * Jest runs each test file in its own realm, so `new Float32Array()` in a
 * test is not an instance of the Float32Array onnxruntime-node's native
 * addon uses, and onnxruntime-common's instanceof checks reject the data.
 * This environment hands the test realm the host's typed-array constructors.
 * Use it with a `@jest-environment ./test/support/onnxruntime.environment.ts`
 * docblock in any spec that runs onnxruntime.
 */
export default class OnnxRuntimeEnvironment extends NodeEnvironment {
  override async setup(): Promise<void> {
    await super.setup();
    const shared = [
      Float32Array,
      Float64Array,
      Int8Array,
      Uint8Array,
      Int16Array,
      Uint16Array,
      Int32Array,
      Uint32Array,
      BigInt64Array,
      BigUint64Array,
      ArrayBuffer,
      Uint8ClampedArray,
    ];
    const global = this.global as unknown as Record<string, unknown>;
    for (const ctor of shared) {
      global[ctor.name] = ctor;
    }
  }
}
