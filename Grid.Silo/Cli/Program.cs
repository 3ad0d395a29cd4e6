// The `grid` command: `grid start --head`, `grid start --address HOST:PORT`, `grid status`, `grid stop`.
return await Grid.Silo.Cli.GridCommand.RunAsync(args);
