using System.Runtime.InteropServices;
using TorchSharp;

namespace Steerability.Coordinator.Cli;

/// <summary>
/// Peak memory for benchmarks: the process's peak resident set (VmHWM) on the CPU; on CUDA also the device memory
/// in use as NVML reports it (TorchSharp exposes no allocator statistics).
/// </summary>
public static class PeakMemory
{
    public static string Describe(torch.Device device)
    {
        var host = HostPeakMegabytes();
        var text = host is { } mb ? $"host peak RSS {mb:F0} MiB" : "host peak RSS unknown";
        if (device.type == DeviceType.CUDA && DeviceUsedMegabytes(device.index < 0 ? 0 : device.index) is { } used)
        {
            text += $"; device in use {used:F0} MiB (NVML)";
        }
        return text;
    }

    private static double? HostPeakMegabytes()
    {
        try
        {
            var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
            return line is null ? null : double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024;
        }
        catch (IOException)
        {
            return null;
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct NvmlMemory
    {
        public ulong Total;
        public ulong Free;
        public ulong Used;
    }

    [DllImport("libnvidia-ml.so.1", EntryPoint = "nvmlInit_v2")]
    private static extern int NvmlInit();

    [DllImport("libnvidia-ml.so.1", EntryPoint = "nvmlDeviceGetHandleByIndex_v2")]
    private static extern int NvmlDeviceByIndex(uint index, out IntPtr device);

    [DllImport("libnvidia-ml.so.1", EntryPoint = "nvmlDeviceGetMemoryInfo")]
    private static extern int NvmlMemoryInfo(IntPtr device, out NvmlMemory memory);

    /// <summary>Device memory in use on a CUDA device as NVML reports it, in MiB; null on the CPU or without NVML.</summary>
    public static double? DeviceInUse(torch.Device device) =>
        device.type == DeviceType.CUDA ? DeviceUsedMegabytes(device.index < 0 ? 0 : device.index) : null;

    private static double? DeviceUsedMegabytes(long index)
    {
        try
        {
            if (NvmlInit() != 0 || NvmlDeviceByIndex((uint)index, out var handle) != 0 || NvmlMemoryInfo(handle, out var memory) != 0)
            {
                return null;
            }
            return memory.Used / (1024.0 * 1024.0);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
    }
}
