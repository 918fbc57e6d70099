"""wasmforge: Rust compute kernels to one verified WebAssembly npm package."""

__version__ = "0.1.0"
