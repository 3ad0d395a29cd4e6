// The `grid` command: `grid start --head`, `grid start --address HOST:PORT`, `grid status`, `grid stop`.
return await Grid.Cli.GridCommand.RunAsync(args);
