using System.Text;

namespace VirtualNetworking.Core.Validation;

/// <summary>Linux network interface names (dev_valid_name in the kernel): what a bridge or uplink may be called.</summary>
public static class InterfaceName
{
    /// <summary>IFNAMSIZ (16) minus the terminating NUL.</summary>
    public const int MaxBytes = 15;

    /// <summary>Why <paramref name="name"/> is not a valid interface name, or null when it is.</summary>
    /// <param name="allowTemplate">Accept one "%d" (a bridge-name template such as virbr%d, filled in at define).</param>
    public static string? Problem(string name, bool allowTemplate)
    {
        if (name.Length == 0) return "it is empty";
        if (name is "." or "..") return "'.' and '..' are not allowed";
        var withoutTemplate = allowTemplate ? ReplaceFirst(name, "%d", "0") : name;
        if (withoutTemplate.Contains('%')) return allowTemplate ? "'%' is only allowed as a single %d template" : "'%' is not allowed";
        foreach (var c in withoutTemplate)
        {
            if (c is '/' or ':' or '\'' or '"' || char.IsWhiteSpace(c) || char.IsControl(c))
                return $"it contains '{(char.IsControl(c) ? $"\\x{(int)c:x2}" : c.ToString())}' (no '/', ':', quotes, whitespace or control characters)";
        }
        var bytes = Encoding.UTF8.GetByteCount(name);
        if (bytes > MaxBytes) return $"it is {bytes} bytes long, at most {MaxBytes} are allowed";
        return null;
    }

    private static string ReplaceFirst(string text, string find, string replacement)
    {
        var at = text.IndexOf(find, StringComparison.Ordinal);
        return at < 0 ? text : string.Concat(text.AsSpan(0, at), replacement, text.AsSpan(at + find.Length));
    }
}
