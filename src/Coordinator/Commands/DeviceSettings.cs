using System.ComponentModel;
using Spectre.Console.Cli;

namespace Steerability.Coordinator.Commands;

/// <summary>Flags every command that computes shares.</summary>
public class DeviceSettings : CommandSettings
{
    [CommandOption("--device <DEVICE>")]
    [Description("auto (CUDA when it starts, else CPU), cpu, cuda or cuda:N. CUDA needs STEER_LIBTORCH (see README).")]
    [DefaultValue("auto")]
    public string Device { get; init; } = "auto";
}
