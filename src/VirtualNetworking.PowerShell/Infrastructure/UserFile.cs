using System.Text;
using VirtualNetworking.Core.Problems;

namespace VirtualNetworking.PowerShell.Infrastructure;

/// <summary>Documents the user names by path (network XML, configuration documents), read with the module's ids.</summary>
internal static class UserFile
{
    /// <summary>Size is checked before reading, so a huge file is refused without loading it.</summary>
    /// <param name="tooLarge">The problem for a file of the given length above <paramref name="maxBytes"/>.</param>
    /// <param name="otherwise">What else the user can do when the file does not exist (ends the message).</param>
    public static string ReadText(string file, long maxBytes, Func<long, NetworkProblem> tooLarge, string otherwise)
    {
        try
        {
            var info = new FileInfo(file);
            if (!info.Exists) throw new NetworkProblemException(FileNotFound(file, otherwise));
            if (info.Length > maxBytes) throw new NetworkProblemException(tooLarge(info.Length));
            return File.ReadAllText(file, Encoding.UTF8);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new NetworkProblemException(ErrorIds.FileUnreadable, ProblemCategory.ReadError, $"Cannot read '{file}': {e.Message}", file);
        }
    }

    public static NetworkProblem FileNotFound(string path, string otherwise) =>
        new(ErrorIds.FileNotFound, ProblemCategory.ObjectNotFound, $"File '{path}' does not exist. Check the path, or {otherwise}.", path);
}
