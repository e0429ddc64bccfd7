namespace VirtualNetworking.Core.Dhcp;

/// <summary>
/// One line of the DHCP daemon's control protocol (docs/dhcp-daemon.md): a verb and key=value fields,
/// values percent-encoded so a line never holds a space or newline of its own. A request is one line;
/// a response is zero or more item lines, then one line whose verb is <see cref="Ok"/> or <see cref="Error"/>.
/// </summary>
public sealed record DhcpControlMessage(string Verb, IReadOnlyDictionary<string, string> Fields)
{
    public const string Ping = "ping";
    public const string AddOrUpdate = "add";
    public const string Remove = "remove";
    public const string Status = "status";
    public const string Network = "network";
    public const string Ok = "ok";
    public const string Error = "error";
    /// <summary>An error line's field that says what failed, for failures the module reports with an ErrorId of their own.</summary>
    public const string ReasonKey = "reason";
    /// <summary>The reason of an error: another process holds port 53 on one of the network's addresses.</summary>
    public const string DnsPortInUseReason = "dns-port-in-use";

    public DhcpControlMessage(string verb, params (string Key, string Value)[] fields)
        : this(verb, fields.ToDictionary(f => f.Key, f => f.Value, StringComparer.Ordinal)) { }

    public string? this[string key] => Fields.TryGetValue(key, out var value) ? value : null;

    /// <summary>The field's value, or a FormatException naming what is missing.</summary>
    public string Required(string key) => this[key] ?? throw new FormatException($"'{Verb}' lacks the field '{key}'.");

    public bool IsFinal => Verb is Ok or Error;

    /// <summary>The line with its newline.</summary>
    public string Format() =>
        Verb + string.Concat(Fields.Select(f => $" {f.Key}={Uri.EscapeDataString(f.Value)}")) + "\n";

    /// <summary>Parses a line (without its newline); throws FormatException for anything else.</summary>
    public static DhcpControlMessage Parse(string line)
    {
        var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0) throw new FormatException("Empty control line.");
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var part in parts.Skip(1))
        {
            var eq = part.IndexOf('=');
            if (eq <= 0) throw new FormatException($"Control field '{part}' is not key=value.");
            fields[part[..eq]] = Uri.UnescapeDataString(part[(eq + 1)..]);
        }
        return new DhcpControlMessage(parts[0], fields);
    }
}
