using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Grid.State;

/// <summary>
/// The one HTTP path to the head's web service, shared by <see cref="GridStateClient"/> and <see cref="Jobs.GridJobClient"/>:
/// the base address, the bearer token (the cluster's password), JSON with web defaults, and errors turned into
/// <see cref="GridApiException"/> carrying the service's own message (<see cref="ApiError"/>).
/// </summary>
internal sealed class HeadApi : IDisposable
{
    /// <summary>The JSON of the web service (camelCase); the server writes with the same options.</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Where the address comes from when none is given: GRID_DASHBOARD_ADDRESS (e.g. http://head:8265).</summary>
    public const string AddressVariable = "GRID_DASHBOARD_ADDRESS";

    private readonly HttpClient _http;

    public HeadApi(string address, string? password, TimeSpan? timeout = null)
    {
        if (!Uri.TryCreate(address.Contains("://", StringComparison.Ordinal) ? address : "http://" + address, UriKind.Absolute, out var uri) ||
            uri.Scheme is not ("http" or "https"))
            throw new ArgumentException($"'{address}' is not the address of a Grid head's web service; give one such as http://head:8265.", nameof(address));
        Address = uri.GetLeftPart(UriPartial.Authority);
        _http = new HttpClient { BaseAddress = new Uri(Address + "/"), Timeout = timeout ?? TimeSpan.FromSeconds(30) };
        if (!string.IsNullOrEmpty(password)) _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", password);
    }

    public string Address { get; }

    public HttpClient Http => _http;

    public async Task<T> GetAsync<T>(string path, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, path), HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        return await ReadAsync<T>(response, path, cancellationToken).ConfigureAwait(false);
    }

    public async Task<T> PostAsync<T>(string path, object? body, CancellationToken cancellationToken)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = body is null ? null : JsonContent.Create(body, body.GetType(), options: Json) };
        using var response = await SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        return await ReadAsync<T>(response, path, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends a request; an error answer or no answer becomes a <see cref="GridApiException"/>. The caller disposes the response.</summary>
    public async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, HttpCompletionOption completion, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            using (request) response = await _http.SendAsync(request, completion, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException || e is TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw new GridApiException($"The Grid head's web service at {Address} did not answer ({e.Message}). Check the address (grid start --head prints it) " +
                "and that the head runs with its dashboard on (--dashboard-port).", Address, 0, e);
        }
        if (response.IsSuccessStatusCode) return response;
        using (response) throw await ErrorAsync(response, cancellationToken).ConfigureAwait(false);
    }

    private async Task<GridApiException> ErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        string? message = null;
        try
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            message = JsonSerializer.Deserialize<ApiError>(body, Json)?.Error;
        }
        catch (JsonException) { }
        message ??= response.StatusCode switch
        {
            HttpStatusCode.Unauthorized => "The head refused the password: give the cluster's password (--password or GRID_PASSWORD).",
            _ => $"The head answered {(int)response.StatusCode} {response.ReasonPhrase}.",
        };
        return new GridApiException(message, Address, (int)response.StatusCode);
    }

    private async Task<T> ReadAsync<T>(HttpResponseMessage response, string path, CancellationToken cancellationToken)
    {
        try
        {
            return await response.Content.ReadFromJsonAsync<T>(Json, cancellationToken).ConfigureAwait(false)
                ?? throw new JsonException("empty body");
        }
        catch (JsonException e)
        {
            throw new GridApiException($"The answer of {Address}/{path} is not what a Grid head sends ({e.Message}); is that address a Grid head's web service?",
                Address, (int)response.StatusCode, e);
        }
    }

    public void Dispose() => _http.Dispose();
}
