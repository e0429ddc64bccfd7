using System.Globalization;
using VirtualNetworking.Core.Dns;

namespace VirtualNetworking.Daemon;

/// <summary>
/// Command line: [--foreground] [--idle-seconds N] [--log-level info|debug] [--dns-local-ttl N]; VNET_DAEMON_IDLE_SECONDS,
/// VNET_DAEMON_LOG_LEVEL and VNET_DNS_LOCAL_TTL are the defaults of the last three.
/// </summary>
internal sealed record DaemonOptions(bool Foreground, TimeSpan IdleGrace, bool DebugLog, uint DnsLocalTtl = 0)
{
    public const string IdleVariable = "VNET_DAEMON_IDLE_SECONDS";
    public const string LogLevelVariable = "VNET_DAEMON_LOG_LEVEL";
    private const string Usage = "Usage: vnetd [--foreground] [--idle-seconds N] [--log-level info|debug] [--dns-local-ttl N]";
    private static readonly TimeSpan DefaultIdleGrace = TimeSpan.FromSeconds(30);

    public static DaemonOptions Parse(string[] args)
    {
        var foreground = false;
        var idle = Seconds(Environment.GetEnvironmentVariable(IdleVariable), IdleVariable) ?? DefaultIdleGrace;
        var debug = IsDebug(Environment.GetEnvironmentVariable(LogLevelVariable), LogLevelVariable) ?? false;
        var ttl = LocalTtl(Environment.GetEnvironmentVariable(DnsServerOptions.LocalTtlVariable), DnsServerOptions.LocalTtlVariable);
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--foreground": foreground = true; break;
                case "--idle-seconds" when i + 1 < args.Length: idle = Seconds(args[++i], "--idle-seconds")!.Value; break;
                case "--log-level" when i + 1 < args.Length: debug = IsDebug(args[++i], "--log-level")!.Value; break;
                case "--dns-local-ttl" when i + 1 < args.Length: ttl = LocalTtl(args[++i], "--dns-local-ttl"); break;
                default: throw new ArgumentException($"Unknown argument '{args[i]}'. {Usage}");
            }
        }
        return new DaemonOptions(foreground, idle, debug, ttl);
    }

    private static TimeSpan? Seconds(string? text, string what) =>
        string.IsNullOrEmpty(text) ? null
        : double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var s) && s >= 0 ? TimeSpan.FromSeconds(s)
        : throw new ArgumentException($"{what} must be a number of seconds, not '{text}'.");

    private static uint LocalTtl(string? text, string what) =>
        DnsServerOptions.TryParseLocalTtl(text, out var seconds) ? seconds
        : throw new ArgumentException($"{what} must be a whole number of seconds from 0 to 2147483647, not '{text}'.");

    private static bool? IsDebug(string? text, string what) => text switch
    {
        null or "" => null,
        "info" => false,
        "debug" => true,
        _ => throw new ArgumentException($"{what} must be info or debug, not '{text}'."),
    };
}
