using Microsoft.AspNetCore.Http;

namespace Grid.Dashboard.Jobs;

/// <summary>
/// A job request that cannot be served as asked, with the HTTP status that says why (400 bad input, 404 unknown job,
/// 409 conflict, 413 too large) and a message in Grid's words that says what to do; the endpoints answer it as ApiError.
/// </summary>
internal sealed class JobRequestException(int status, string message) : Exception(message)
{
    public int Status { get; } = status;

    public static JobRequestException BadRequest(string message) => new(StatusCodes.Status400BadRequest, message);
    public static JobRequestException NotFound(string message) => new(StatusCodes.Status404NotFound, message);
    public static JobRequestException Conflict(string message) => new(StatusCodes.Status409Conflict, message);
}
