using CameraNet.Contracts;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NATS.Client.Core;

namespace CameraNet.Messaging;

/// <summary>Where and as whom to connect to NATS.</summary>
public sealed record NatsSettings(string Url, string? User = null, string? Password = null, string Name = "cameranet", string? InboxPrefix = null, bool RetryFirstConnect = true)
{
    /// <summary>
    /// A connection that (de)serialises CameraNet's event records with their source-generated JSON
    /// context, keeps retrying the first connect (servers may start after us; interactive tools turn that off
    /// with <see cref="RetryFirstConnect"/> so a wrong password is an error, not a hang), and reconnects forever.
    /// </summary>
    public NatsConnection Connect(ILoggerFactory? loggers = null) =>
        new(new NatsOpts
        {
            Url = Url,
            Name = Name,
            AuthOpts = User is null ? NatsAuthOpts.Default : new NatsAuthOpts { Username = User, Password = Password },
            SerializerRegistry = new NatsJsonContextSerializerRegistry(ContractsJsonContext.Default),
            LoggerFactory = loggers ?? NullLoggerFactory.Instance,
            RetryOnInitialConnect = RetryFirstConnect,
            MaxReconnectRetry = -1,
            ReconnectWaitMin = TimeSpan.FromMilliseconds(250),
            ReconnectWaitMax = TimeSpan.FromSeconds(5),
            CommandTimeout = TimeSpan.FromSeconds(5),
            InboxPrefix = InboxPrefix ?? "_INBOX",
        });

    /// <summary>The URL with any password removed, for logs.</summary>
    public override string ToString() => User is null ? Url : $"{Url} (user {User})";
}
