using System.Collections.Concurrent;

namespace VirtualNetworking.Linux.Store;

/// <summary>
/// Parsed files cached per path, keyed by modification time and size, so a warm session lists hundreds of
/// files without parsing them again. A file that vanished between listing and reading is simply absent.
/// Cached objects are shared: a mutable one is copied before it is handed out (definitions); port records are immutable.
/// </summary>
internal sealed class ParsedFileCache<T> where T : class
{
    private readonly ConcurrentDictionary<string, ((DateTime, long) Stamp, T? Value)> entries = new(StringComparer.Ordinal);

    public T? Read(string file, Func<string, T?> parse)
    {
        var info = new FileInfo(file);
        if (!info.Exists) return null;
        var stamp = (info.LastWriteTimeUtc, info.Length);
        if (entries.TryGetValue(file, out var cached) && cached.Stamp == stamp) return cached.Value;
        string text;
        try { text = File.ReadAllText(file); }
        catch (FileNotFoundException) { return null; }
        catch (DirectoryNotFoundException) { return null; }
        var value = parse(text);
        entries[file] = (stamp, value);
        return value;
    }

    /// <summary>
    /// After writing <paramref name="file"/> from <paramref name="value"/> (which the cache keeps: pass a copy): the next
    /// read needs no parse. A large definition (a thousand port forwards) is rewritten on every change and read again at
    /// the next.
    /// </summary>
    public void Remember(string file, T value)
    {
        var info = new FileInfo(file);
        if (info.Exists) entries[file] = ((info.LastWriteTimeUtc, info.Length), value);
    }

    public void Forget(string file) => entries.TryRemove(file, out _);
}
