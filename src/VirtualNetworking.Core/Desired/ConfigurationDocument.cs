using System.Collections;
using System.Globalization;
using System.Net;
using System.Text.Json;
using VirtualNetworking.Core.Addressing;
using VirtualNetworking.Core.Engine;
using VirtualNetworking.Core.Model;
using VirtualNetworking.Core.Problems;
using VirtualNetworking.Core.Validation;
using Keys = VirtualNetworking.Core.Desired.ConfigurationKeys;

namespace VirtualNetworking.Core.Desired;

/// <summary>
/// Reads a configuration document from a plain tree (IDictionary / IList of strings, booleans and numbers: what a
/// .psd1 hashtable or ConvertFrom-Json -AsHashtable gives). Every problem of the whole document is found before it
/// is refused, each with the path of its key (e.g. Networks[1].DhcpRange), so a bad document changes nothing.
/// </summary>
public static class ConfigurationDocument
{
    /// <summary>JSON and .psd1 files larger than this are refused unread (a document of 1,000 networks is ~300 KiB).</summary>
    public const int MaxDocumentBytes = 4 * 1024 * 1024;

    /// <summary>
    /// Placeholder subnet for checking a network that names none (a free one is chosen at define): only rules that do
    /// not depend on the subnet are checked with it.
    /// </summary>
    private static readonly IpNetwork AnySubnet = IpNetwork.Parse("192.0.2.0/24");

    public static DesiredConfiguration Parse(object? root)
    {
        var problems = new List<NetworkProblem>();
        var networks = new List<DesiredNetwork>();
        if (root is not IDictionary top)
            throw new NetworkProblemException(ValueInvalid("(document)", root, "a hashtable with the key Networks, e.g. @{ Networks = @( @{ Name = 'lab' } ) }"));
        var entries = Entries(top, "", [Keys.Networks], problems);
        if (!entries.TryGetValue(Keys.Networks, out var list))
            problems.Add(new NetworkProblem(ErrorIds.ConfigurationKeyMissing, ProblemCategory.InvalidData,
                "The document has no Networks key. Declare the networks as Networks = @( @{ Name = 'lab'; ... } ), or Networks = @() for none.", Keys.Networks));
        else
        {
            // A single network without @( ) is what a hand-written document often has: a list of one.
            var items = list is IDictionary one ? [one] : list is IList many ? many.Cast<object?>().ToList() : null;
            if (items is null) problems.Add(ValueInvalid(Keys.Networks, list, "a list of hashtables, one per network"));
            else
                for (var i = 0; i < items.Count; i++)
                {
                    var path = $"{Keys.Networks}[{i}]";
                    if (items[i] is IDictionary network)
                    {
                        if (ParseNetwork(network, path, problems) is { } parsed) networks.Add(parsed);
                    }
                    else problems.Add(ValueInvalid(path, items[i], "a hashtable describing one network, e.g. @{ Name = 'lab'; Mode = 'Nat' }"));
                }
        }
        foreach (var same in networks.GroupBy(n => n.Name, StringComparer.Ordinal).Where(g => g.Count() > 1))
            problems.Add(new NetworkProblem(ErrorIds.ConfigurationNameDuplicate, ProblemCategory.InvalidData,
                $"{string.Join(" and ", same.Select(n => n.Path))} both declare network '{same.Key}'. Declare each network once.", same.Last().Path));
        var forwards = networks.Where(n => n.Ensure == Ensure.Present).SelectMany(n => (n.PortForwards ?? []).Select(f => (Network: n, Forward: f))).ToList();
        for (var i = 0; i < forwards.Count; i++)
            for (var j = i + 1; j < forwards.Count; j++)
                if (forwards[i].Network != forwards[j].Network && forwards[i].Forward.ClaimsSameHostPort(forwards[j].Forward))
                    problems.Add(new NetworkProblem(ErrorIds.PortForwardDuplicate, ProblemCategory.InvalidData,
                        $"{forwards[j].Network.Path}.{Keys.PortForwards}: port forward {forwards[j].Forward} claims a host port that {forwards[i].Network.Path} ('{forwards[i].Network.Name}') forwards too ({forwards[i].Forward}). Give one of them another host port or host address.",
                        $"{forwards[j].Network.Path}.{Keys.PortForwards}"));
        if (problems.Count > 0) throw new NetworkProblemException(problems);
        return new DesiredConfiguration(networks);
    }

    /// <summary>
    /// One network given as a dictionary of its keys (Test-VNetwork's parameters). <paramref name="path"/> null: the
    /// keys are parameters, and a message names them as -Key.
    /// </summary>
    public static DesiredNetwork ParseOne(IDictionary network, string? path)
    {
        var problems = new List<NetworkProblem>();
        var parsed = ParseNetwork(network, path, problems);
        if (problems.Count > 0) throw new NetworkProblemException(problems);
        return parsed!;
    }

    /// <summary>A JSON document as the same tree ConvertFrom-Json -AsHashtable gives, then <see cref="Parse"/>.</summary>
    public static DesiredConfiguration ParseJson(string text, string source)
    {
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(text, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            root = document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new NetworkProblemException(ErrorIds.ConfigurationFileInvalid, ProblemCategory.InvalidData,
                $"'{source}' is not valid JSON: {e.Message} Fix the document, or write it as a .psd1 file.", source);
        }
        return Parse(FromJson(root, "", source));
    }

    private static object? FromJson(JsonElement element, string path, string source)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var map = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
                foreach (var property in element.EnumerateObject())
                {
                    var at = path.Length == 0 ? property.Name : $"{path}.{property.Name}";
                    if (!map.TryAdd(property.Name, FromJson(property.Value, at, source)))
                        throw new NetworkProblemException(ErrorIds.ConfigurationFileInvalid, ProblemCategory.InvalidData,
                            $"'{source}': key {at} is given twice (keys are matched without regard to case). Keep one of them.", at);
                }
                return map;
            case JsonValueKind.Array:
                return element.EnumerateArray().Select((item, i) => FromJson(item, $"{path}[{i}]", source)).ToList();
            case JsonValueKind.String:
                return element.GetString();
            case JsonValueKind.Number:
                return element.TryGetInt64(out var whole) ? whole : (object)element.GetDouble();
            case JsonValueKind.True:
            case JsonValueKind.False:
                return element.GetBoolean();
            default:
                return null;
        }
    }

    private static DesiredNetwork? ParseNetwork(IDictionary network, string? path, List<NetworkProblem> problems)
    {
        var before = problems.Count;
        string At(string key) => path is null ? $"-{key}" : $"{path}.{key}";
        var keys = Entries(network, path, Keys.Network, problems);

        string? Text(string key)
        {
            if (!keys.TryGetValue(key, out var value)) return null;
            if (value is string s) return s;
            problems.Add(ValueInvalid(At(key), value, "a string"));
            return null;
        }
        bool? Flag(string key)
        {
            if (!keys.TryGetValue(key, out var value)) return null;
            if (value is bool b) return b;
            problems.Add(ValueInvalid(At(key), value, "$true or $false"));
            return null;
        }
        T? Choice<T>(string key) where T : struct, Enum
        {
            var text = Text(key);
            if (text is null) return null;
            if (!text.Any(char.IsDigit) && Enum.TryParse<T>(text, ignoreCase: true, out var value)) return value;
            problems.Add(ValueInvalid(At(key), text, $"one of {string.Join(", ", Enum.GetNames<T>())}"));
            return null;
        }
        T? Checked<T>(string? at, Func<T> parse) where T : class
        {
            try { return parse(); }
            catch (NetworkProblemException e)
            {
                problems.AddRange(e.Problems.Select(p => AtPath(p, at)));
                return null;
            }
        }

        var name = Text(Keys.Name);
        if (name is null && !keys.ContainsKey(Keys.Name))
            problems.Add(new NetworkProblem(ErrorIds.ConfigurationKeyMissing, ProblemCategory.InvalidData,
                $"{path ?? "The network"} has no Name. Give every network a Name.", path));
        var ensure = Choice<Ensure>(Keys.Ensure) ?? Ensure.Present;
        var state = Choice<NetworkState>(Keys.State);
        var mode = Choice<NetworkMode>(Keys.Mode);
        var subnetText = Text(Keys.Subnet);
        var subnet = subnetText is null ? null : Checked(At(Keys.Subnet), () => (object)ParameterText.Subnet(subnetText));
        var range = Range(keys, At(Keys.DhcpRange), problems);
        var noDhcp = Flag(Keys.NoDhcp);
        var bridgeName = Text(Keys.BridgeName);
        var forwardDevice = Text(Keys.ForwardDevice);
        var stp = Flag(Keys.Stp);
        var mtu = Mtu(keys, At(Keys.Mtu), name ?? "", problems);
        var domain = Text(Keys.Domain);
        var macAddress = Text(Keys.MacAddress);
        // Canonical (lower case, colons), so that comparing with the stored MAC is plain equality.
        if (macAddress is not null) macAddress = Checked(At(Keys.MacAddress), () => ParameterText.MacAddress(macAddress));
        var autostart = Flag(Keys.Autostart);
        var reservations = Reservations(keys, At(Keys.Reservations), problems);
        if (noDhcp == true && reservations is { Count: > 0 })
            problems.Add(new NetworkProblem(ErrorIds.ConfigurationValueInvalid, ProblemCategory.InvalidData,
                $"{At(Keys.Reservations)}: a network with NoDhcp = $true serves no DHCP, so it has no reservations. Remove NoDhcp, or the reservations.", At(Keys.Reservations)));
        var portForwards = PortForwards(keys, At(Keys.PortForwards), problems);
        if (name is null || problems.Count > before) return null;

        // Mtu 0 and Domain '' declare "no setting": the request (what New-VNetwork would create) leaves them out.
        var request = Checked(path, () => NetworkRequest.FromParameters(name, mode ?? NetworkMode.Nat, subnetText is null ? null : [subnetText], range,
            noDhcp ?? false, bridgeName, forwardDevice, stp, mtu is 0 ? null : mtu, domain is "" ? null : domain, macAddress, autostart ?? false, transient: false));
        if (request is null) return null;
        var given = Keys.Network.Where(keys.ContainsKey).ToHashSet(StringComparer.Ordinal);
        var desired = new DesiredNetwork
        {
            Name = name, Path = path ?? name, Ensure = ensure, State = state, Request = request, Given = given, Reservations = reservations,
            PortForwards = portForwards,
        };
        if (ensure == Ensure.Present) CheckDefinition(desired, subnet is not null, path, problems);
        return problems.Count > before ? null : desired;
    }

    /// <summary>
    /// The definition New-VNetwork would build, checked by libvirt's rules with the reservations and port forwards added,
    /// so a document that could never be applied is refused before anything changes. Without a subnet, the DHCP range,
    /// the reservations and the forwards wait for the one chosen at define.
    /// </summary>
    private static void CheckDefinition(DesiredNetwork desired, bool hasSubnet, string? where, List<NetworkProblem> problems)
    {
        var request = hasSubnet ? desired.Request : desired.Request with { DhcpStart = null, DhcpEnd = null };
        try
        {
            var definition = NetworkRequestBuilder.Build(request, () => AnySubnet);
            problems.AddRange(NetworkValidator.Validate(definition).Select(p => AtPath(p, where)));
            if (!hasSubnet) return;
            string At(string key, int i) => where is null ? $"-{key}[{i}]" : $"{where}.{key}[{i}]";
            foreach (var (reservation, i) in desired.Request.NoDhcp ? [] : (desired.Reservations ?? []).Select((r, i) => (r, i)))
            {
                try { DhcpReservations.Add(definition, reservation.MacAddress, duid: null, reservation.IPAddress, reservation.HostName); }
                catch (NetworkProblemException e) { problems.AddRange(e.Problems.Select(p => AtPath(p, At(Keys.Reservations, i)))); }
            }
            foreach (var (forward, i) in (desired.PortForwards ?? []).Select((f, i) => (f, i)))
            {
                var found = NetworkValidator.ValidateNewPortForward(definition, forward);
                problems.AddRange(found.Select(p => AtPath(p, At(Keys.PortForwards, i))));
                if (found.Count == 0) definition.PortForwards.Add(forward.Clone());
            }
        }
        catch (NetworkProblemException e) { problems.AddRange(e.Problems.Select(p => AtPath(p, where))); }
    }

    private static IReadOnlyList<string>? Range(IReadOnlyDictionary<string, object?> keys, string path, List<NetworkProblem> problems)
    {
        if (!keys.TryGetValue(Keys.DhcpRange, out var value)) return null;
        if (value is IList list && list.Cast<object?>().All(v => v is string))
        {
            var texts = list.Cast<string>().ToList();
            try
            {
                ParameterText.DhcpRange(texts);
                return texts;
            }
            catch (NetworkProblemException e) { problems.AddRange(e.Problems.Select(p => AtPath(p, path))); }
        }
        else problems.Add(ValueInvalid(path, value, "two addresses, the first and the last of the range, e.g. '10.10.0.10', '10.10.0.200'"));
        return null;
    }

    private static int? Mtu(IReadOnlyDictionary<string, object?> keys, string path, string network, List<NetworkProblem> problems)
    {
        if (!keys.TryGetValue(Keys.Mtu, out var value)) return null;
        // A .psd1 gives an int, JSON a long.
        if (value is int or long && Convert.ToInt64(value, CultureInfo.InvariantCulture) is var whole && whole is >= 0 and <= 65535)
        {
            var checks = new NetworkChange { Mtu = (int)whole }.Check(network);
            problems.AddRange(checks.Select(p => AtPath(p, path)));
            return checks.Count == 0 ? (int)whole : null;
        }
        problems.Add(ValueInvalid(path, value, "a whole number from 68 to 65535, or 0 for the kernel's default"));
        return null;
    }

    private static IReadOnlyList<DesiredReservation>? Reservations(IReadOnlyDictionary<string, object?> keys, string path, List<NetworkProblem> problems)
    {
        if (!keys.TryGetValue(Keys.Reservations, out var value)) return null;
        var items = value is IDictionary one ? [one] : value is IList many ? many.Cast<object?>().ToList() : null;
        if (items is null)
        {
            problems.Add(ValueInvalid(path, value, "a list of hashtables with MacAddress, IPAddress and optionally HostName"));
            return null;
        }
        var reservations = new List<DesiredReservation>();
        for (var i = 0; i < items.Count; i++)
        {
            var at = $"{path}[{i}]";
            if (items[i] is not IDictionary item)
            {
                problems.Add(ValueInvalid(at, items[i], "a hashtable with MacAddress, IPAddress and optionally HostName"));
                continue;
            }
            var entries = Entries(item, at, Keys.Reservation, problems);
            string? Text(string key, bool required)
            {
                if (!entries.TryGetValue(key, out var v))
                {
                    if (required)
                        problems.Add(new NetworkProblem(ErrorIds.ConfigurationKeyMissing, ProblemCategory.InvalidData,
                            $"{at} has no {key}. A reservation needs MacAddress and IPAddress.", at));
                    return null;
                }
                if (v is string s) return s;
                problems.Add(ValueInvalid($"{at}.{key}", v, "a string"));
                return null;
            }
            var mac = Text(Keys.MacAddress, required: true);
            var ipText = Text(Keys.IPAddress, required: true);
            var hostName = Text(Keys.HostName, required: false);
            string? canonical = null;
            IPAddress? ip = null;
            try { if (mac is not null) canonical = ParameterText.MacAddress(mac); }
            catch (NetworkProblemException e) { problems.AddRange(e.Problems.Select(p => AtPath(p, $"{at}.{Keys.MacAddress}"))); }
            try { if (ipText is not null) ip = ParameterText.HostAddress(ipText); }
            catch (NetworkProblemException e) { problems.AddRange(e.Problems.Select(p => AtPath(p, $"{at}.{Keys.IPAddress}"))); }
            if (canonical is not null && ip is not null) reservations.Add(new DesiredReservation(canonical, ip, hostName));
        }
        foreach (var same in reservations.GroupBy(r => r.MacAddress).Where(g => g.Count() > 1))
            problems.Add(new NetworkProblem(ErrorIds.ConfigurationValueInvalid, ProblemCategory.InvalidData,
                $"{path}: MAC address {same.Key} is reserved {same.Count()} times. Reserve one address per MAC.", path));
        return reservations;
    }

    private static IReadOnlyList<PortForwardDefinition>? PortForwards(IReadOnlyDictionary<string, object?> keys, string path, List<NetworkProblem> problems)
    {
        if (!keys.TryGetValue(Keys.PortForwards, out var value)) return null;
        const string Expected = "a list of hashtables with Protocol, HostPort and GuestAddress, and optionally HostAddress, GuestPort, SourcePrefix and Description";
        var items = value is IDictionary one ? [one] : value is IList many ? many.Cast<object?>().ToList() : null;
        if (items is null)
        {
            problems.Add(ValueInvalid(path, value, Expected));
            return null;
        }
        var forwards = new List<PortForwardDefinition>();
        for (var i = 0; i < items.Count; i++)
        {
            var at = $"{path}[{i}]";
            if (items[i] is not IDictionary item)
            {
                problems.Add(ValueInvalid(at, items[i], Expected));
                continue;
            }
            var before = problems.Count;
            var entries = Entries(item, at, Keys.PortForward, problems);
            // Ports come as numbers from a .psd1 or JSON, or as text for a range ('8000-8010').
            string? Text(string key, bool required, bool number = false)
            {
                if (!entries.TryGetValue(key, out var v))
                {
                    if (required)
                        problems.Add(new NetworkProblem(ErrorIds.ConfigurationKeyMissing, ProblemCategory.InvalidData,
                            $"{at} has no {key}. A port forward needs Protocol, HostPort and GuestAddress.", at));
                    return null;
                }
                if (v is string s) return s;
                if (number && v is int or long) return Convert.ToString(v, CultureInfo.InvariantCulture);
                problems.Add(ValueInvalid($"{at}.{key}", v, number ? "a port, or a range such as '8000-8010'" : "a string"));
                return null;
            }
            T? Parsed<T>(string key, string? text, Func<string, T> parse)
            {
                if (text is null) return default;
                try { return parse(text); }
                catch (NetworkProblemException e)
                {
                    problems.AddRange(e.Problems.Select(p => AtPath(p, $"{at}.{key}")));
                    return default;
                }
            }
            var protocol = Text(Keys.Protocol, required: true);
            var hostPort = Parsed(Keys.HostPort, Text(Keys.HostPort, required: true, number: true), t => ParameterText.PortRange(t, Keys.HostPort));
            var hostAddress = Parsed(Keys.HostAddress, Text(Keys.HostAddress, required: false), ParameterText.HostAddress);
            var guestAddress = Parsed(Keys.GuestAddress, Text(Keys.GuestAddress, required: true), ParameterText.HostAddress);
            var guestPortText = Text(Keys.GuestPort, required: false, number: true);
            var guestPort = Parsed(Keys.GuestPort, guestPortText, t => ParameterText.PortRange(t, Keys.GuestPort));
            var description = Text(Keys.Description, required: false);
            var sources = entries.TryGetValue(Keys.SourcePrefix, out var prefixes)
                ? prefixes is string single ? [single] : prefixes is IList list && list.Cast<object?>().All(p => p is string) ? list.Cast<string>().ToList() : null
                : [];
            if (sources is null) problems.Add(ValueInvalid($"{at}.{Keys.SourcePrefix}", prefixes, "a CIDR prefix, or a list of them"));
            PortProtocol parsedProtocol = default;
            if (protocol is not null && (protocol.Any(char.IsDigit) || !Enum.TryParse(protocol, ignoreCase: true, out parsedProtocol)))
                problems.Add(ValueInvalid($"{at}.{Keys.Protocol}", protocol, "Tcp or Udp"));
            if (problems.Count > before) continue;
            var forward = new PortForwardDefinition
            {
                Protocol = parsedProtocol, HostPort = hostPort.First, HostPortEnd = hostPort.Last, HostAddress = hostAddress, GuestAddress = guestAddress!,
                Description = string.IsNullOrEmpty(description) ? null : description,
            };
            if (guestPortText is not null) (forward.GuestPort, forward.GuestPortEnd) = guestPort;
            forward.SourcePrefixes.AddRange(sources!);
            forwards.Add(forward);
        }
        return forwards;
    }

    /// <summary>The dictionary's entries by their documented spelling; unknown, future and repeated keys are problems.</summary>
    private static IReadOnlyDictionary<string, object?> Entries(IDictionary map, string? path, IReadOnlyList<string> known, List<NetworkProblem> problems)
    {
        var entries = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in map)
        {
            var key = entry.Key as string ?? entry.Key?.ToString() ?? "";
            var at = path is null ? $"-{key}" : path.Length == 0 ? key : $"{path}.{key}";
            var spelled = known.FirstOrDefault(k => string.Equals(k, key, StringComparison.OrdinalIgnoreCase));
            if (spelled is null)
            {
                var future = Keys.Future.FirstOrDefault(k => string.Equals(k, key, StringComparison.OrdinalIgnoreCase));
                problems.Add(future is not null
                    ? new NetworkProblem(ErrorIds.ConfigurationNotSupported, ProblemCategory.NotImplemented,
                        $"{at}: {future} are not supported in configuration documents yet. Remove the key; manage them with their own cmdlets until then.", at)
                    : new NetworkProblem(ErrorIds.ConfigurationKeyUnknown, ProblemCategory.InvalidData,
                        $"{at}: '{key}' is not a key of {(path is null || path.Length > 0 ? "this element" : "the document")}. Use one of: {string.Join(", ", known)}.", at));
            }
            else if (entry.Value is null)
                problems.Add(ValueInvalid(at, null, "a value (leave the key out to keep what the host has)"));
            else if (!entries.TryAdd(spelled, entry.Value))
                problems.Add(new NetworkProblem(ErrorIds.ConfigurationValueInvalid, ProblemCategory.InvalidData,
                    $"{at}: {spelled} is given twice (keys are matched without regard to case). Keep one of them.", at));
        }
        return entries;
    }

    private static NetworkProblem ValueInvalid(string path, object? value, string expected) =>
        new(ErrorIds.ConfigurationValueInvalid, ProblemCategory.InvalidData,
            $"{path} is {Describe(value)}; it must be {expected}.", path);

    private static string Describe(object? value) => value switch
    {
        null => "empty ($null)",
        string s => $"'{s}'",
        bool b => b ? "$true" : "$false",
        IDictionary => "a hashtable",
        IList => "a list",
        _ => $"{value} ({value.GetType().Name})",
    };

    /// <summary>A problem found in a part of the document: its message starts with the path of that part (none: a parameter's own message).</summary>
    private static NetworkProblem AtPath(NetworkProblem problem, string? path) =>
        path is null ? problem : problem with { Message = $"{path}: {problem.Message}", Target = path };
}
