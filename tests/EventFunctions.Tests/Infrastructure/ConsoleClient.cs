using System.Net;
using System.Text.RegularExpressions;

namespace EventFunctions.Tests.Infrastructure;

/// <summary>
/// A browser-like client of the organisers' console on a <see cref="RunningHost"/>: keeps cookies, does not follow
/// redirects (tests assert them), and sends each form with the anti-forgery token of the last page it read.
/// </summary>
public sealed partial class ConsoleClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly CookieContainer _cookies = new();

    public ConsoleClient(string baseUrl)
    {
        _http = new HttpClient(new HttpClientHandler { CookieContainer = _cookies, UseCookies = true, AllowAutoRedirect = false })
        {
            BaseAddress = new Uri(baseUrl),
        };
    }

    /// <summary>The anti-forgery token from the last page read (empty before any).</summary>
    public string Csrf { get; private set; } = "";

    public HttpClient Http => _http;

    public CookieContainer Cookies => _cookies;

    /// <summary>Signs in through the development sign-in and reads the dashboard (so <see cref="Csrf"/> is set).</summary>
    public async Task SignInAsync(string email)
    {
        using var response = await PostRawAsync("/api/console/signin", [new("email", email), new("returnUrl", "/api/console")]);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var (status, _) = await GetAsync("/api/console");
        Assert.Equal(200, status);
    }

    public async Task<(int Status, string Html)> GetAsync(string path)
    {
        using var response = await _http.GetAsync(path);
        var html = await response.Content.ReadAsStringAsync();
        Remember(html);
        return ((int)response.StatusCode, html);
    }

    /// <summary>Posts a form with the current anti-forgery token; follows a 303 to its page like a browser.</summary>
    public async Task<(int Status, string Html, string? Location)> PostAsync(string path, params (string Name, string Value)[] fields)
    {
        using var response = await PostRawAsync(path, [.. fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value)), new("_csrf", Csrf)]);
        var html = await response.Content.ReadAsStringAsync();
        var location = response.Headers.Location?.ToString();
        if (response.StatusCode == HttpStatusCode.SeeOther && location is not null)
        {
            var (status, page) = await GetAsync(location);
            return (status, page, location);
        }
        Remember(html);
        return ((int)response.StatusCode, html, location);
    }

    public Task<HttpResponseMessage> PostRawAsync(string path, IEnumerable<KeyValuePair<string, string>> fields) =>
        _http.PostAsync(path, new FormUrlEncodedContent(fields));

    private void Remember(string html)
    {
        var m = CsrfField().Match(html);
        if (m.Success) Csrf = WebUtility.HtmlDecode(m.Groups[1].Value);
    }

    [GeneratedRegex("name=\"_csrf\" value=\"([^\"]+)\"")]
    private static partial Regex CsrfField();

    public void Dispose() => _http.Dispose();
}
