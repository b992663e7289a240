using System.Security.Cryptography;
using System.Text;
using CameraNet.Contracts;
using CameraNet.Inventory.Auth;
using Microsoft.Extensions.Options;

namespace CameraNet.Inventory.Plates;

/// <summary>A NATS user and what it may publish and subscribe to (nats-server allow lists).</summary>
public sealed record NatsAccount(string User, string Password, IReadOnlyList<string> Publish, IReadOnlyList<string> Subscribe);

/// <summary>
/// NATS identities for people, derived from the inventory's users and roles, so that what an analyst may read
/// is enforced by nats-server itself, not only by our tools. An analyst's NATS user may subscribe to plate
/// captures and watchlist hits of their districts only (live: core subscriptions; replay: JetStream push
/// consumers whose filter is part of the create request's subject, delivered to a subject of their own),
/// and to its own reply inbox. Passwords are derived (HMAC of the user name under
/// <c>Inventory:NatsAccountSecret</c>), never stored; changing the secret revokes them all.
/// </summary>
public sealed class NatsAccounts(IOptions<InventoryOptions> options)
{
    public bool Configured => !string.IsNullOrEmpty(options.Value.NatsAccountSecret);

    public static string UserName(string username) => "analyst-" + username;

    /// <summary>Subject prefix where a user's JetStream consumers deliver.</summary>
    public static string DeliverPrefix(string natsUser) => $"cameranet.deliver.{natsUser}";

    /// <summary>Prefix of the user's reply inboxes (requests to the JetStream API get their answers there).</summary>
    public static string InboxPrefix(string natsUser) => "_INBOX_" + natsUser;

    /// <summary>The account of a user with <paramref name="role"/> over <paramref name="districts"/> (admins: the whole city).</summary>
    public NatsAccount For(string username, string role, IReadOnlyList<string> districts)
    {
        var user = UserName(username);
        var scopes = role == Roles.Admin ? [null] : districts.Order(StringComparer.Ordinal).Select(d => (string?)d).ToList();
        var publish = new List<string>();
        var subscribe = new List<string> { DeliverPrefix(user) + ".>", InboxPrefix(user) + ".>" };
        foreach (var district in scopes)
        {
            var code = district is null ? (DivisionCode?)null : DivisionCode.Parse(district);
            var plates = Subjects.PlatesFilter(code, null, null);
            var alerts = Subjects.AlertsFilter(code, null, null);
            subscribe.Add(plates);
            subscribe.Add(alerts);
            publish.Add($"$JS.API.CONSUMER.CREATE.{Subjects.PlatesStream}.*.{plates}");
            publish.Add($"$JS.API.CONSUMER.CREATE.{Subjects.AlertsStream}.*.{alerts}");
        }

        if (scopes.Count > 0)
        {
            publish.Add($"$JS.API.CONSUMER.INFO.{Subjects.PlatesStream}.*");
            publish.Add($"$JS.API.CONSUMER.INFO.{Subjects.AlertsStream}.*");
            publish.Add($"$JS.ACK.{Subjects.PlatesStream}.>");
            publish.Add($"$JS.ACK.{Subjects.AlertsStream}.>");
        }

        return new NatsAccount(user, Password(user), publish, subscribe);
    }

    private string Password(string natsUser)
    {
        var secret = options.Value.NatsAccountSecret
            ?? throw new InvalidOperationException("Inventory:NatsAccountSecret is not set: analysts cannot be given NATS access");
        var mac = HMACSHA256.HashData(Convert.FromBase64String(secret), Encoding.UTF8.GetBytes("nats-password:" + natsUser));
        return Convert.ToBase64String(mac).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }
}
