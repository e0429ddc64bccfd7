using System.Net;
using VirtualNetworking.Core.Addressing;

namespace VirtualNetworking.Core.Health;

/// <summary>
/// Reads iptables-save text (iptables-nft-save, iptables-legacy-save, and their ip6 twins) into
/// <see cref="FirewallTable"/>s: built-in INPUT and FORWARD chains with their policies, -A rules with
/// -i/-o/-p/-s/-d, the udp/tcp/multiport ports, conntrack/state, addrtype --dst-type, and -j/-g. Any other
/// -m module or option makes the rule a Maybe.
/// </summary>
internal static class ForeignFirewallIptables
{
    public static IReadOnlyList<FirewallTable> Read(string text, string source, string family)
    {
        var tables = new List<FirewallTable>();
        string? table = null;
        var policies = new Dictionary<string, bool>(StringComparer.Ordinal);
        var rules = new Dictionary<string, List<string[]>>(StringComparer.Ordinal);
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            // iptables-save -c puts each rule's counters first: "[3:180] -A INPUT …".
            if (line.StartsWith('[') && line.IndexOf("] ", StringComparison.Ordinal) is > 0 and var end) line = line[(end + 2)..];
            if (line.Length == 0 || line[0] == '#') continue;
            if (line[0] == '*') { table = line[1..]; policies.Clear(); rules.Clear(); }
            else if (line[0] == ':' && table is not null)
            {
                var parts = line[1..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                policies[parts[0]] = parts.Length > 1 && parts[1] == "DROP";
                rules[parts[0]] = [];
            }
            else if (line.StartsWith("-A ", StringComparison.Ordinal) && table is not null)
            {
                var words = Words(line);
                if (words.Count > 1 && rules.TryGetValue(words[1], out var list)) list.Add([.. words.Skip(2)]);
            }
            else if (line == "COMMIT" && table is not null)
            {
                var names = rules.Keys.ToHashSet(StringComparer.Ordinal);
                var chains = rules.ToDictionary(r => r.Key, r => new FirewallChain(r.Key, Hook(r.Key), policies[r.Key],
                    [.. r.Value.Select((args, i) => ReadRule($"rule {i + 1}: -A {r.Key} {string.Join(' ', args)}", args, names, family))]),
                    StringComparer.Ordinal);
                tables.Add(new FirewallTable(source, family, table, chains));
                table = null;
            }
        }
        return tables;
    }

    /// <summary>The tables a save text lists (so nft's JSON view of the same iptables-nft tables is skipped).</summary>
    public static IEnumerable<string> TableNames(string text) =>
        text.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith('*')).Select(l => l[1..]);

    private static FirewallHook? Hook(string chain) => chain switch
    {
        "INPUT" => FirewallHook.Input,
        "FORWARD" => FirewallHook.Forward,
        _ => null,
    };

    private static FirewallChainRule ReadRule(string label, string[] args, IReadOnlySet<string> chains, string family)
    {
        var matches = new List<FirewallMatch>();
        var verdict = FirewallVerdict.Continue;
        var negate = false;
        string? module = null;
        for (var i = 0; i < args.Length; i++)
        {
            var option = args[i];
            var value = i + 1 < args.Length ? args[i + 1] : "";
            if (option == "!") { negate = true; continue; }
            var consumed = true;
            switch (option)
            {
                case "-i" or "--in-interface": matches.Add(Interface(true, value, negate)); break;
                case "-o" or "--out-interface": matches.Add(Interface(false, value, negate)); break;
                case "-p" or "--protocol": matches.Add(Protocol(value, negate)); break;
                case "-s" or "--source": matches.Add(Address(true, value, negate)); break;
                case "-d" or "--destination": matches.Add(Address(false, value, negate)); break;
                case "-m" or "--match": module = value; break;
                case "-j" or "--jump":
                    verdict = value switch
                    {
                        _ when chains.Contains(value) => new FirewallVerdict(VerdictKind.Jump, value),
                        _ => ForeignFirewallNft.XtTarget(value) ?? FirewallVerdict.Continue,
                    };
                    // A target's own options (--log-prefix, --reject-with) follow; they decide nothing here.
                    module = "target";
                    break;
                case "-g" or "--goto": verdict = new FirewallVerdict(VerdictKind.Goto, value); break;
                case "--dport" or "--destination-port" when module is "udp" or "tcp": matches.Add(Ports(module, false, value, negate)); break;
                case "--sport" or "--source-port" when module is "udp" or "tcp": matches.Add(Ports(module, true, value, negate)); break;
                case "--dports" or "--destination-ports" when module == "multiport": matches.Add(Ports(null, false, value, negate)); break;
                case "--sports" or "--source-ports" when module == "multiport": matches.Add(Ports(null, true, value, negate)); break;
                case "--ctstate" when module == "conntrack": matches.Add(State(value, negate)); break;
                case "--state" when module == "state": matches.Add(State(value, negate)); break;
                case "--dst-type" when module == "addrtype": matches.Add(DaddrType(value, negate)); break;
                case "--comment" when module == "comment": break;
                case "--icmp-type" or "--icmpv6-type" when module is "icmp" or "icmp6": break;
                case var _ when module == "target" && option.StartsWith("--", StringComparison.Ordinal): break;
                default:
                    matches.Add(ForeignFirewallNft.Unknown(module is null ? $"the option {option}" : $"-m {module} {option}"));
                    consumed = option.StartsWith("--", StringComparison.Ordinal) && i + 1 < args.Length && !args[i + 1].StartsWith('-');
                    break;
            }
            if (consumed) i++;
            negate = false;
        }
        return new FirewallChainRule(label, matches, verdict);
    }

    private static FirewallMatch Interface(bool inbound, string pattern, bool negate) =>
        new(p => (inbound ? p.InInterface : p.OutInterface) is { } name
            ? PacketMatches.Compare(new InterfaceName(name), [pattern], negate)
            : Tri.Maybe, $"{(inbound ? "-i" : "-o")} {pattern}");

    private static FirewallMatch Protocol(string protocol, bool negate) =>
        new(p => protocol == "all" ? (negate ? Tri.False : Tri.True)
            : PacketMatches.Compare(p.Protocol, [long.TryParse(protocol, out var n) ? n : protocol], negate), $"-p {protocol}");

    private static FirewallMatch Address(bool source, string text, bool negate)
    {
        object element = IpNetwork.TryParse(text.Contains('/') ? text : text + (text.Contains(':') ? "/128" : "/32"), false, out var network, out _)
            ? network.Value : PacketValue.NamedSet;
        return new(p => PacketMatches.Compare(source ? p.Source : p.Destination, [element], negate), $"{(source ? "-s" : "-d")} {text}");
    }

    private static FirewallMatch Ports(string? protocol, bool source, string list, bool negate)
    {
        var elements = list.Split(',').Select(object? (part) =>
        {
            var range = part.Split(':');
            return range.Length == 2 && long.TryParse(range[0], out var low) && long.TryParse(range[1], out var high)
                ? new ElementRange(low, high)
                : long.TryParse(part, out var port) ? port : part;
        }).ToList();
        return new(p => protocol is not null && protocol != p.Protocol ? Tri.False
            : PacketMatches.Compare(source ? p.SourcePort : p.DestinationPort, elements, negate), $"ports {list}");
    }

    private static FirewallMatch State(string states, bool negate)
    {
        var elements = states.Split(',').Select(object? (s) => s.ToLowerInvariant()).ToList();
        return new(p => PacketMatches.Compare(p.CtState, elements, negate), $"state {states}");
    }

    private static FirewallMatch DaddrType(string types, bool negate)
    {
        var elements = types.Split(',').Select(object? (s) => s.ToLowerInvariant()).ToList();
        return new(p => PacketMatches.Compare(p.DaddrType, elements, negate), $"addrtype --dst-type {types}");
    }

    /// <summary>Splits a save line into words, keeping "quoted strings" (comments, log prefixes) whole.</summary>
    private static List<string> Words(string line)
    {
        var words = new List<string>();
        var current = new System.Text.StringBuilder();
        var quoted = false;
        var any = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (c == '\\' && quoted && i + 1 < line.Length) { current.Append(line[++i]); continue; }
            if (c == '"') { quoted = !quoted; any = true; continue; }
            if (c == ' ' && !quoted)
            {
                if (any) words.Add(current.ToString());
                current.Clear();
                any = false;
                continue;
            }
            current.Append(c);
            any = true;
        }
        if (any) words.Add(current.ToString());
        return words;
    }
}
