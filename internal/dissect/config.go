package dissect

import (
	"errors"
	"fmt"
	"time"

	"github.com/flowsift/flowsift/internal/dissect/reassembly"
)

// Config sets up payload inspection.
type Config struct {
	// Enabled turns inspection on (the default); off, flows get no
	// network.protocol and no transactions, as plain NetFlow.
	Enabled bool `yaml:"enabled"`
	// Disable lists dissectors not to run, by name (dns, http, tls, …).
	Disable []string `yaml:"disable"`
	// Reassembly bounds the TCP stream reassembly of each worker.
	Reassembly reassembly.Config `yaml:"reassembly"`
	// ExpectTimeout is how long an announced connection (an FTP data
	// channel) is waited for.
	ExpectTimeout time.Duration `yaml:"expect_timeout"`
	// MaxExpectations bounds the announced connections waited for.
	MaxExpectations int `yaml:"max_expectations"`
}

// DefaultConfig enables every dissector.
func DefaultConfig() Config {
	return Config{Enabled: true, Reassembly: reassembly.DefaultConfig(), ExpectTimeout: 2 * time.Minute, MaxExpectations: 4096}
}

// Validate checks the configuration; each message names the key.
func (c Config) Validate() error {
	var errs []error
	for _, n := range c.Disable {
		if _, err := Lookup(n); err != nil {
			errs = append(errs, fmt.Errorf("dissect.disable: %w", err))
		}
	}
	if err := c.Reassembly.Validate(); err != nil {
		errs = append(errs, fmt.Errorf("dissect.reassembly: %w", err))
	}
	if c.ExpectTimeout <= 0 {
		errs = append(errs, errors.New("dissect.expect_timeout: must be positive, e.g. 2m"))
	}
	if c.MaxExpectations < 1 {
		errs = append(errs, errors.New("dissect.max_expectations: must be at least 1"))
	}
	return errors.Join(errs...)
}
