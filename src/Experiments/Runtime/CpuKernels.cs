using System.Runtime.InteropServices;
using TorchSharp;

namespace Steerability.Experiments.Runtime;

/// <summary>
/// Chooses which of libtorch's CPU kernels compute this project's tensors, before any result depends on them.
/// </summary>
/// <remarks>
/// libtorch 2.10 runs CPU convolutions through oneDNN 3.7, which picks its kernels by the CPU's instruction set. On AMD
/// EPYC machines with AVX-512 (family 26), two of its kernels return wrong input gradients: the AVX-512 backward-data
/// kernel of 3×3 stride-1 convolutions (NaN in about half the calls, finite but wrong values in others, since it reads
/// memory it never wrote), and, even at the AVX2 level, the kernel for 3×3 convolutions with 3 output channels (the
/// generator's last layer). Forward passes and weight gradients were right, so the fault shows only in training: NaN
/// generators, walks whose loss rises, and a crash in grid_sample's backward when NaN reaches its grid.
/// Capped at SSE4.1 (oneDNN's DNNL_MAX_CPU_ISA), every convolution checked matched float64, and a walk step costs about
/// a quarter more time than with AVX-512; with oneDNN off (libtorch's own im2col kernels) everything matched too, at 3.4×
/// the time. docs/cpu-kernels.md has the measurements, and KernelAgreementTests keeps checking every operation the
/// networks train through against float64.
/// </remarks>
public static class CpuKernels
{
    /// <summary>The environment variable that picks the CPU kernels (<see cref="Choices"/>).</summary>
    public const string Variable = "STEER_CPU_KERNELS";

    /// <summary>oneDNN capped at SSE4.1 kernels: checked against float64, a quarter slower than AVX-512. The default.</summary>
    public const string OneDnnSse41 = "onednn-sse41";

    /// <summary>oneDNN off, libtorch's own kernels: checked against float64, 3.4× slower; for a CPU where SSE4.1 kernels fail.</summary>
    public const string Native = "native";

    /// <summary>libtorch's default, oneDNN at the CPU's best instruction set: fastest, wrong on EPYC family 26.</summary>
    public const string OneDnn = "onednn";

    /// <summary>Every accepted value of <see cref="Variable"/>, the default first.</summary>
    public static IReadOnlyList<string> Choices { get; } = [OneDnnSse41, Native, OneDnn];

    /// <summary>oneDNN's own setting of the highest instruction set its kernels may use, read on its first use.</summary>
    private const string OneDnnIsaVariable = "DNNL_MAX_CPU_ISA";

    private const string LibTorchCpu = "libtorch_cpu.so";
    private const string GlobalContextSymbol = "_ZN2at13globalContextEv";
    private const string SetMkldnnSymbol = "_ZN2at7Context20setUserEnabledMkldnnEb";
    private const string GetMkldnnSymbol = "_ZNK2at7Context17userEnabledMkldnnEv";
    private const int RtldLazy = 0x1;
    private const int RtldNoLoad = 0x4;

    private static readonly object Gate = new();
    private static string? _chosen;

    /// <summary>The kernel choice named by <see cref="Variable"/>; any other value throws <see cref="EnvironmentSettingException"/>, naming it.</summary>
    public static string RequestedChoice()
    {
        var value = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrEmpty(value))
        {
            return OneDnnSse41;
        }
        return Choices.Contains(value)
            ? value
            : throw new EnvironmentSettingException($"{Variable}: '{value}' is not accepted; use {string.Join(", ", Choices)} (default {OneDnnSse41})");
    }

    /// <summary>The choice applied in this process, or null before <see cref="Apply"/>.</summary>
    public static string? Applied => _chosen;

    /// <summary>
    /// Applies the kernel choice of <see cref="Variable"/> once per process. Call it after CUDA libraries (if any)
    /// are loaded and before the first convolution: oneDNN reads its instruction-set cap once, on its first use.
    /// Later calls only check the variable again, so a bad value is still refused.
    /// </summary>
    public static void Apply()
    {
        var choice = RequestedChoice();
        lock (Gate)
        {
            if (_chosen is not null)
            {
                return;
            }
            if (choice == OneDnnSse41)
            {
                // Through libc: .NET keeps its own copy of the environment, which native getenv never sees.
                if (setenv(OneDnnIsaVariable, "SSE41", 1) != 0)
                {
                    throw new DeviceUnavailableException($"could not set {OneDnnIsaVariable} for oneDNN, so its CPU kernels cannot be capped");
                }
            }
            SetOneDnn(choice != Native);
            _chosen = choice;
        }
    }

    /// <summary>Whether libtorch will run CPU convolutions through oneDNN (reads libtorch's own flag).</summary>
    public static bool OneDnnEnabled()
    {
        var (context, _, get) = ContextFunctions();
        unsafe
        {
            return ((delegate* unmanaged<IntPtr, byte>)get)(context) != 0;
        }
    }

    /// <summary>Sets libtorch's oneDNN switch and checks that it took.</summary>
    public static void SetOneDnn(bool enabled)
    {
        var (context, set, _) = ContextFunctions();
        unsafe
        {
            ((delegate* unmanaged<IntPtr, byte, void>)set)(context, enabled ? (byte)1 : (byte)0);
        }
        if (OneDnnEnabled() != enabled)
        {
            throw new DeviceUnavailableException($"libtorch did not take the oneDNN switch (asked {(enabled ? "on" : "off")}); CPU results cannot be trusted on this libtorch");
        }
    }

    /// <summary>libtorch's global context and its oneDNN setter and getter, from the libtorch_cpu already loaded.</summary>
    private static (IntPtr Context, IntPtr Set, IntPtr Get) ContextFunctions()
    {
        // TorchSharp loads libtorch (its own, or a CUDA build named by STEER_LIBTORCH) on its first native call.
        _ = torch.get_num_threads();
        // RTLD_NOLOAD: the libtorch_cpu TorchSharp already runs on, found by its soname; never a second copy.
        var handle = dlopen(LibTorchCpu, RtldLazy | RtldNoLoad);
        if (handle == IntPtr.Zero)
        {
            throw new DeviceUnavailableException($"{LibTorchCpu} is not loaded in this process, so its CPU kernels cannot be chosen ({Marshal.PtrToStringUTF8(dlerror()) ?? "no reason given"})");
        }
        var globalContext = Symbol(handle, GlobalContextSymbol);
        var set = Symbol(handle, SetMkldnnSymbol);
        var get = Symbol(handle, GetMkldnnSymbol);
        IntPtr context;
        unsafe
        {
            context = ((delegate* unmanaged<IntPtr>)globalContext)();
        }
        return (context, set, get);
    }

    private static IntPtr Symbol(IntPtr handle, string name)
    {
        var address = dlsym(handle, name);
        return address != IntPtr.Zero
            ? address
            : throw new DeviceUnavailableException($"{LibTorchCpu} exports no {name}: this libtorch is not one whose CPU kernels this project can choose");
    }

    [DllImport("libc", EntryPoint = "dlopen")]
    private static extern IntPtr dlopen([MarshalAs(UnmanagedType.LPUTF8Str)] string file, int mode);

    [DllImport("libc", EntryPoint = "dlsym")]
    private static extern IntPtr dlsym(IntPtr handle, [MarshalAs(UnmanagedType.LPUTF8Str)] string name);

    [DllImport("libc", EntryPoint = "setenv")]
    private static extern int setenv([MarshalAs(UnmanagedType.LPUTF8Str)] string name, [MarshalAs(UnmanagedType.LPUTF8Str)] string value, int overwrite);

    [DllImport("libc", EntryPoint = "dlerror")]
    private static extern IntPtr dlerror();
}
