#!/usr/bin/env bash
# S16 and S17 on a CUDA machine, checked against the CPU (docs/inference.md, "GPU machines").
#
#   deploy/gpu/run.sh build [OUT]   on a machine with the .NET SDK: publishes the samples as a self-contained
#                                   linux-x64 program with GridTorchBackend=external (TorchSharp's shim only; libtorch
#                                   comes from the GPU machine) into OUT (default out/gpu) and packs OUT.tar.gz
#   deploy/gpu/run.sh run [OUT]     on the CUDA machine (no .NET needed): finds PyTorch's torch/lib (TORCH_LIB, or
#                                   python3 -c 'import torch'), puts it on LD_LIBRARY_PATH and runs `Grid.Samples gpu`,
#                                   which runs S16 and S17 on CUDA and on the CPU, compares them within a tolerance
#                                   and prints rows/s per GPU. Exits non-zero when an output differs.
#   deploy/gpu/run.sh [OUT]         both, on a CUDA machine that also has the SDK.
#
# libtorch must be PyTorch 2.10's (the ABI TorchSharp 0.107's shim was built against).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
step="${1:-all}"
case "$step" in build|run|all) shift || true ;; *) step=all ;; esac
out="${1:-$root/out/gpu}"

build() {
  command -v dotnet >/dev/null || { echo "build: the .NET 10 SDK is needed (dotnet on PATH)"; exit 1; }
  echo "== publishing the samples (self-contained, GridTorchBackend=external) into $out"
  DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 dotnet publish "$root/samples/Grid.Samples/Grid.Samples.csproj" -c Release \
    -r linux-x64 --self-contained -p:GridTorchBackend=external -p:GridSamplesResNet=false -o "$out" -v quiet -nologo
  # The GPU check runs the TorchSharp models only: ONNX Runtime's natives (55 MB, a Windows one among them) stay behind,
  # so the package fits a 64 MiB upload.
  rm -f "$out"/libonnxruntime*.so "$out"/onnxruntime*.dll
  tar -C "$(dirname "$out")" -czf "$out.tar.gz" "$(basename "$out")"
  echo "== $out.tar.gz: $(du -h "$out.tar.gz" | cut -f1)"
}

run() {
  [ -x "$out/Grid.Samples" ] || { [ -f "$out.tar.gz" ] && tar -C "$(dirname "$out")" -xzf "$out.tar.gz"; }
  [ -x "$out/Grid.Samples" ] || { echo "run: no build at $out (run '$0 build' first)"; exit 1; }
  lib="${TORCH_LIB:-}"
  if [ -z "$lib" ] && command -v python3 >/dev/null; then
    lib="$(python3 -c 'import os, torch; print(os.path.join(os.path.dirname(torch.__file__), "lib"))' 2>/dev/null || true)"
  fi
  [ -n "$lib" ] && [ -f "$lib/libtorch.so" ] || { echo "run: libtorch not found: set TORCH_LIB to PyTorch's torch/lib"; exit 1; }
  echo "== libtorch from $lib"
  export LD_LIBRARY_PATH="$lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=index,name,memory.total --format=csv,noheader
  "$out/Grid.Samples" gpu
}

case "$step" in
  build) build ;;
  run) run ;;
  all) build; run ;;
esac
