package main

import (
	"errors"

	"github.com/spf13/cobra"
)

func newSensorCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "sensor --interface IFACE",
		Short: "Capture live on an interface (AF_PACKET) and write flow records",
		RunE: func(*cobra.Command, []string) error {
			return errors.New("sensor: not built yet")
		},
	}
}
