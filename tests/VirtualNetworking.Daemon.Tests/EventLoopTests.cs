using System.Collections.Concurrent;

namespace VirtualNetworking.Daemon.Tests;

/// <summary>The one serving thread: posted work, timers and ready descriptors all run on it, in order, and a failing handler does not end it.</summary>
public sealed class EventLoopTests : IDisposable
{
    /// <summary>Only keeps a broken test from hanging.</summary>
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private readonly StringWriter _logText = new();
    private readonly DaemonLog _log;
    private readonly EventLoop _loop;

    public EventLoopTests()
    {
        _log = new DaemonLog(_logText, debug: false);
        _loop = new EventLoop(_log);
        _loop.Start();
    }

    public void Dispose()
    {
        _loop.Dispose();
        _log.Dispose();
    }

    [Fact]
    public void Invoke_runs_the_work_on_the_loop_thread_and_hands_back_its_result_or_its_exception()
    {
        Assert.False(_loop.IsLoopThread);
        Assert.True(_loop.Invoke(() => _loop.IsLoopThread));
        var e = Assert.Throws<InvalidOperationException>(() => _loop.Invoke<int>(() => throw new InvalidOperationException("nope")));
        Assert.Equal("nope", e.Message);
    }

    [Fact]
    public void Timers_fire_in_due_order_and_a_cancelled_one_never_fires()
    {
        var fired = new ConcurrentQueue<string>();
        using var done = new ManualResetEventSlim();
        _loop.Invoke(() =>
        {
            _loop.Schedule(TimeSpan.FromMilliseconds(60), () => { fired.Enqueue("late"); done.Set(); });
            _loop.Schedule(TimeSpan.FromMilliseconds(20), () => fired.Enqueue("early"));
            _loop.Schedule(TimeSpan.FromMilliseconds(40), () => fired.Enqueue("cancelled")).Cancel();
            return true;
        });

        Assert.True(done.Wait(Bound));
        Assert.Equal(["early", "late"], fired);
    }

    [Fact]
    public void A_watched_descriptor_calls_its_handler_on_the_loop_when_ready_and_not_after_it_is_unwatched()
    {
        using var source = new Wakeup();
        var calls = 0;
        using var called = new SemaphoreSlim(0);
        _loop.Invoke(() =>
        {
            _loop.Watch(source.Fd, Native.EPOLLIN, _ =>
            {
                source.Drain();
                Interlocked.Increment(ref calls);
                called.Release();
            });
            return true;
        });

        source.Signal();
        Assert.True(called.Wait(Bound));
        _loop.Invoke(() => { _loop.Unwatch(source.Fd); return true; });
        source.Signal();
        // A posted no-op after the signal: once it has run, the loop has seen the signal.
        _loop.Invoke(() => true);

        Assert.Equal(1, Volatile.Read(ref calls));
    }

    [Fact]
    public void A_handler_that_throws_is_logged_and_the_loop_serves_on()
    {
        _loop.Post(() => throw new InvalidDataException("broken handler"));

        Assert.Equal(42, _loop.Invoke(() => 42));
        Assert.Contains("InvalidDataException: broken handler", _logText.ToString());
    }

    [Fact]
    public void Work_posted_from_many_threads_runs_one_at_a_time_on_the_loop()
    {
        var running = 0;
        var overlapped = false;
        var count = 0;
        Parallel.For(0, 2000, _ => _loop.Post(() =>
        {
            if (Interlocked.Increment(ref running) != 1 || !_loop.IsLoopThread) overlapped = true;
            count++;
            Interlocked.Decrement(ref running);
        }));

        Assert.Equal(2000, _loop.Invoke(() => count));
        Assert.False(overlapped);
    }
}
