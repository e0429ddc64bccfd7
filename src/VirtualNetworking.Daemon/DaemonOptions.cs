using System.Globalization;

namespace VirtualNetworking.Daemon;

/// <summary>Command line: [--foreground] [--idle-seconds N]; VNET_DAEMON_IDLE_SECONDS is the default for the latter.</summary>
internal sealed record DaemonOptions(bool Foreground, TimeSpan IdleGrace)
{
    public const string IdleVariable = "VNET_DAEMON_IDLE_SECONDS";
    private static readonly TimeSpan DefaultIdleGrace = TimeSpan.FromSeconds(30);

    public static DaemonOptions Parse(string[] args)
    {
        var foreground = false;
        var idle = Seconds(Environment.GetEnvironmentVariable(IdleVariable), IdleVariable) ?? DefaultIdleGrace;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--foreground": foreground = true; break;
                case "--idle-seconds" when i + 1 < args.Length: idle = Seconds(args[++i], "--idle-seconds")!.Value; break;
                default: throw new ArgumentException($"Unknown argument '{args[i]}'. Usage: vnetd [--foreground] [--idle-seconds N]");
            }
        }
        return new DaemonOptions(foreground, idle);
    }

    private static TimeSpan? Seconds(string? text, string what) =>
        string.IsNullOrEmpty(text) ? null
        : double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var s) && s >= 0 ? TimeSpan.FromSeconds(s)
        : throw new ArgumentException($"{what} must be a number of seconds, not '{text}'.");
}
