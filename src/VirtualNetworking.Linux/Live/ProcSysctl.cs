using VirtualNetworking.Core.Ports;
using VirtualNetworking.Core.Problems;

namespace VirtualNetworking.Linux.Live;

/// <summary>/proc/sys/net: per network namespace, whichever process reads it.</summary>
public sealed class ProcSysctl : ISysctl
{
    public string? Read(string key)
    {
        try { return File.ReadAllText(Path.Combine("/proc/sys", key)).Trim(); }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException) { return null; }
    }

    public void Write(string key, string value)
    {
        try { File.WriteAllText(Path.Combine("/proc/sys", key), value); }
        catch (UnauthorizedAccessException e)
        {
            throw new NetworkProblemException(ErrorIds.PermissionDenied, ProblemCategory.PermissionDenied,
                $"Cannot set {key.Replace('/', '.')} to {value}: {e.Message} Run pwsh as root.", key);
        }
        catch (IOException e)
        {
            throw new NetworkProblemException(ErrorIds.HostOperationFailed, ProblemCategory.InvalidOperation,
                $"Cannot set {key.Replace('/', '.')} to {value}: {e.Message}", key);
        }
    }
}
