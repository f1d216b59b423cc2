using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace Steerability.Experiments.Runtime;

/// <summary>
/// Chooses the torch device from a user's `auto|cpu|cuda[:N]` and makes CUDA available from a libtorch folder
/// named by STEER_LIBTORCH (the NuGet registry serves no CUDA build of libtorch).
/// </summary>
public static class ComputeDevice
{
    /// <summary>The environment variable naming a folder with a CUDA build of libtorch (e.g. PyTorch's torch/lib).</summary>
    public const string LibTorchVariable = "STEER_LIBTORCH";

    /// <summary>Libraries loaded, in this order, before TorchSharp initialises CUDA.</summary>
    private static readonly string[] CudaLibraries = ["libc10.so", "libtorch_cpu.so", "libc10_cuda.so", "libtorch_cuda.so", "libtorch.so"];

    private static readonly object Gate = new();
    private static string? _cudaFailure;
    private static bool _cudaTried;

    /// <summary>True when <paramref name="text"/> is a device spelling this class accepts.</summary>
    public static bool IsValidSpelling(string text) => TryParse(text, out _, out _);

    /// <summary>
    /// Resolves a device spelling to a torch device. `auto` gives CUDA when it can start, else CPU; an explicit
    /// `cuda` that cannot start throws <see cref="DeviceUnavailableException"/> with the reason in one line.
    /// Either way libtorch's CPU kernels are then chosen (<see cref="CpuKernels"/>), once libtorch is loaded.
    /// </summary>
    public static Device Resolve(string spelling)
    {
        var device = ResolveDevice(spelling);
        CpuKernels.Apply();
        return device;
    }

    private static Device ResolveDevice(string spelling)
    {
        if (!TryParse(spelling, out var kind, out var index))
        {
            throw new ArgumentException($"--device: '{spelling}' is not a device; accepted: auto, cpu, cuda, cuda:N");
        }
        if (kind == "cpu")
        {
            return torch.CPU;
        }
        var failure = StartCuda();
        if (kind == "auto")
        {
            return failure is null ? torch.device(DeviceType.CUDA, 0) : torch.CPU;
        }
        if (failure is not null)
        {
            throw new DeviceUnavailableException($"--device: '{spelling}' cannot start: {failure}");
        }
        var count = torch.cuda.device_count();
        if (index >= count)
        {
            throw new DeviceUnavailableException($"--device: '{spelling}' does not exist: this machine has {count} CUDA device(s) (cuda:0..cuda:{count - 1})");
        }
        return torch.device(DeviceType.CUDA, index);
    }

    private static bool TryParse(string text, out string kind, out int index)
    {
        kind = text;
        index = 0;
        if (text is "auto" or "cpu" or "cuda")
        {
            return true;
        }
        if (text.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(text.AsSpan(5), out index) && index >= 0)
        {
            kind = "cuda";
            return true;
        }
        return false;
    }

    /// <summary>Loads CUDA libtorch once; returns null on success or why CUDA cannot start.</summary>
    private static string? StartCuda()
    {
        lock (Gate)
        {
            if (_cudaTried)
            {
                return _cudaFailure;
            }
            _cudaTried = true;
            _cudaFailure = TryStartCuda();
            return _cudaFailure;
        }
    }

    private static string? TryStartCuda()
    {
        var folder = Environment.GetEnvironmentVariable(LibTorchVariable);
        if (string.IsNullOrEmpty(folder))
        {
            return $"{LibTorchVariable} is not set (point it at a CUDA libtorch folder, e.g. <site-packages>/torch/lib)";
        }
        if (!Directory.Exists(folder))
        {
            return $"{LibTorchVariable}='{folder}' is not a folder";
        }
        foreach (var library in CudaLibraries)
        {
            var path = Path.Combine(folder, library);
            if (!File.Exists(path))
            {
                return $"{LibTorchVariable}='{folder}' has no {library} (not a CUDA build of libtorch)";
            }
            try
            {
                NativeLibrary.Load(path);
            }
            catch (Exception e) when (e is DllNotFoundException or BadImageFormatException)
            {
                return $"loading {path} failed: {e.Message.Split('\n')[0]}";
            }
        }
        try
        {
            torch.InitializeDeviceType(DeviceType.CUDA);
        }
        catch (Exception e)
        {
            return $"TorchSharp could not initialise CUDA from {folder}: {e.Message.Split('\n')[0]}";
        }
        return torch.cuda.is_available() ? null : $"libtorch from {folder} loaded but reports no CUDA device";
    }
}

/// <summary>A requested device cannot be used on this machine; the message says why, in one line.</summary>
public sealed class DeviceUnavailableException(string message) : Exception(message);
