using System.Globalization;

namespace VirtualNetworking.Daemon;

/// <summary>
/// Command line: [--foreground] [--idle-seconds N] [--log-level info|debug]; VNET_DAEMON_IDLE_SECONDS and
/// VNET_DAEMON_LOG_LEVEL are the defaults of the latter two.
/// </summary>
internal sealed record DaemonOptions(bool Foreground, TimeSpan IdleGrace, bool DebugLog)
{
    public const string IdleVariable = "VNET_DAEMON_IDLE_SECONDS";
    public const string LogLevelVariable = "VNET_DAEMON_LOG_LEVEL";
    private const string Usage = "Usage: vnetd [--foreground] [--idle-seconds N] [--log-level info|debug]";
    private static readonly TimeSpan DefaultIdleGrace = TimeSpan.FromSeconds(30);

    public static DaemonOptions Parse(string[] args)
    {
        var foreground = false;
        var idle = Seconds(Environment.GetEnvironmentVariable(IdleVariable), IdleVariable) ?? DefaultIdleGrace;
        var debug = IsDebug(Environment.GetEnvironmentVariable(LogLevelVariable), LogLevelVariable) ?? false;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--foreground": foreground = true; break;
                case "--idle-seconds" when i + 1 < args.Length: idle = Seconds(args[++i], "--idle-seconds")!.Value; break;
                case "--log-level" when i + 1 < args.Length: debug = IsDebug(args[++i], "--log-level")!.Value; break;
                default: throw new ArgumentException($"Unknown argument '{args[i]}'. {Usage}");
            }
        }
        return new DaemonOptions(foreground, idle, debug);
    }

    private static TimeSpan? Seconds(string? text, string what) =>
        string.IsNullOrEmpty(text) ? null
        : double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var s) && s >= 0 ? TimeSpan.FromSeconds(s)
        : throw new ArgumentException($"{what} must be a number of seconds, not '{text}'.");

    private static bool? IsDebug(string? text, string what) => text switch
    {
        null or "" => null,
        "info" => false,
        "debug" => true,
        _ => throw new ArgumentException($"{what} must be info or debug, not '{text}'."),
    };
}
